// CSV records: quoting a field, splitting a record, and the fixed-point number formatting every
// CSV of a run uses (std::to_chars: exact, correctly rounded, locale-free).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eccsim {

// One field of a CSV record: quoted when it holds a comma, quote or line break; line breaks become spaces.
std::string csv_field(const std::string& text);

// Splits one CSV record (no line break) into fields, undoing csv_field's quoting.
std::vector<std::string> split_csv_record(const std::string& line);

// Appends a decimal integer.
void append_integer(std::string& out, int64_t value);

// Appends `value` with `precision` decimals (the same bytes as printf's "%.*f").
// A value that rounds to zero has no sign.
void append_fixed(std::string& out, double value, int precision);

// Appends `value` exactly: the shortest fixed-point decimal that reads back as the same double
// (2500000, 0.125).
void append_exact(std::string& out, double value);

}  // namespace eccsim
