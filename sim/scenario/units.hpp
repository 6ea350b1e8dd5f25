// Unit strings of the scenario ("20Mbps", "5ms", "1.5Gf", "784B", "0.5W", "0.9pJ", "2/s") to SI
// doubles and back. Bandwidth, time, speed and size go through SimGrid's xbt unit parsers behind a
// strict front end; power, energy and rate (which SimGrid lacks) use this file's own tables.
// A physical quantity needs its unit: a bare number is an error, except an exact zero ("0").
#pragma once

#include <string>
#include <string_view>

#include "core/input_error.hpp"

namespace eccsim {

enum class UnitKind {
  bandwidth,  // B/s: bps, kbps, Mbps, Gbps, Tbps (bits), Bps, kBps, MBps, ..., KiBps, MiBps, ... (bytes)
  time,       // s: ns, us, ms, s, min, h, d, w
  speed,      // flop/s (an edge "op" counts as one flop): f, kf, Mf, Gf, Tf, Pf
  size,       // B: B, kB, MB, GB, KiB, MiB, GiB, b (bits), kb, Mb, ...
  power,      // W: pW, nW, uW, mW, W, kW, MW
  energy,     // J: pJ, nJ, uJ, mJ, J, kJ, MJ
  rate,       // 1/s: /s, /ms, /min, /h
};

// A malformed or out-of-domain unit string; what() is the reason without file or key, e.g.
// "missing unit in '20' (a bandwidth, e.g. 20Mbps)". The scenario reader adds "file:line: key: ".
class UnitError : public InputError {
 public:
  using InputError::InputError;
};

// `text` as a quantity of `kind`, in SI. Negative, non-finite and unit-less non-zero values are errors.
double parse_quantity(std::string_view text, UnitKind kind);

inline double parse_bandwidth(std::string_view text) { return parse_quantity(text, UnitKind::bandwidth); }
inline double parse_time(std::string_view text) { return parse_quantity(text, UnitKind::time); }
inline double parse_speed(std::string_view text) { return parse_quantity(text, UnitKind::speed); }
inline double parse_size(std::string_view text) { return parse_quantity(text, UnitKind::size); }
inline double parse_power(std::string_view text) { return parse_quantity(text, UnitKind::power); }
inline double parse_energy(std::string_view text) { return parse_quantity(text, UnitKind::energy); }
inline double parse_rate(std::string_view text) { return parse_quantity(text, UnitKind::rate); }

// Readable text that parse_quantity maps back to exactly `si_value`: the largest unit giving a value
// >= 1 with at most 12 significant digits ("20Mbps", "2.5ms", "15.167J"), else the SI unit ("1e-05s").
std::string format_quantity(double si_value, UnitKind kind);

// A plain decimal number ("0.7", "1e-3", "+2", ".5"): no hex, no nan or inf, nothing after it.
double parse_number(std::string_view text);

std::string_view unit_kind_name(UnitKind kind);     // "bandwidth", "time", ...
std::string_view unit_kind_example(UnitKind kind);  // "20Mbps", "5ms", ...

}  // namespace eccsim
