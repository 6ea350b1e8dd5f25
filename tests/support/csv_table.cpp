// CSV reading for tests, with the simulator's own CSV record splitter (quoted fields included).
#include "tests/support/csv_table.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "core/csv.hpp"
#include "core/file_io.hpp"

namespace eccsim::testing {

CsvTable::CsvTable(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(file.string() + ": empty");
  header_ = split_csv_record(line);
  while (std::getline(in, line)) {
    rows_.push_back(split_csv_record(line));
    if (rows_.back().size() != header_.size())
      throw std::runtime_error(file.string() + ": row " + std::to_string(rows_.size()) + " has " +
                               std::to_string(rows_.back().size()) + " fields, header has " +
                               std::to_string(header_.size()));
  }
}

size_t CsvTable::index_of(const std::string& column) const {
  for (size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == column) return i;
  throw std::runtime_error("no column " + column);
}

bool CsvTable::has_column(const std::string& column) const {
  for (const std::string& name : header_)
    if (name == column) return true;
  return false;
}

const std::string& CsvTable::text(size_t row, const std::string& column) const { return rows_.at(row).at(index_of(column)); }

double CsvTable::number(size_t row, const std::string& column) const { return std::stod(text(row, column)); }

std::vector<double> CsvTable::numbers(const std::string& column) const {
  std::vector<double> values;
  const size_t i = index_of(column);
  for (const auto& row : rows_) values.push_back(std::stod(row.at(i)));
  return values;
}

std::string file_bytes(const std::filesystem::path& file) { return read_file(file); }

double max_deviation(const CsvTable& table, const std::string& column, double target) {
  double worst = 0;
  for (double value : table.numbers(column)) worst = std::max(worst, std::abs(value - target));
  return worst;
}

}  // namespace eccsim::testing
