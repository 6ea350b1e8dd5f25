// CSV quoting and splitting (RFC 4180 quotes; the project's files hold no line breaks in fields),
// and number formatting with std::to_chars.
#include "core/csv.hpp"

#include <algorithm>
#include <charconv>

namespace eccsim {

std::string csv_field(const std::string& text) {
  std::string flat = text;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  std::replace(flat.begin(), flat.end(), '\r', ' ');
  if (flat.find_first_of(",\"") == std::string::npos) return flat;
  std::string quoted = "\"";
  for (const char c : flat) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::vector<std::string> split_csv_record(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

void append_integer(std::string& out, int64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_fixed(std::string& out, double value, int precision) {
  char buffer[400];   // any double at the precisions used (<= 12 digits) fits
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, precision);
  // A value that rounds to zero is written without a sign: -1e-16 (a clock's rounding) is 0.000000000.
  char* first = buffer;
  if (*first == '-' && std::all_of(first + 1, result.ptr, [](char c) { return c == '0' || c == '.'; })) ++first;
  out.append(first, result.ptr);
}

void append_exact(std::string& out, double value) {
  char buffer[400];   // the longest fixed-point double (~330 digits) fits
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  out.append(buffer, result.ptr);
}

}  // namespace eccsim
