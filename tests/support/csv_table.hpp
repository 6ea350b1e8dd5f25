// A CSV file read back for assertions in simulation tests: header plus rows of strings,
// columns looked up by name. Plain comma-separated values (eccsim writes no quoting).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace eccsim::testing {

class CsvTable {
 public:
  explicit CsvTable(const std::filesystem::path& file);

  size_t rows() const { return rows_.size(); }
  const std::vector<std::string>& header() const { return header_; }
  const std::string& text(size_t row, const std::string& column) const;
  double number(size_t row, const std::string& column) const;
  std::vector<double> numbers(const std::string& column) const;
  bool has_column(const std::string& column) const;

 private:
  size_t index_of(const std::string& column) const;

  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// The largest distance of a numeric column's values from `target` (0 for no rows).
double max_deviation(const CsvTable& table, const std::string& column, double target);

// The whole file as bytes (for byte-identity checks).
std::string file_bytes(const std::filesystem::path& file);

}  // namespace eccsim::testing
