// Unit strings to SI and back. SimGrid 3.32's xbt_parse_get_{bandwidth,time,speed,size} throw
// simgrid::ParseError on bad input (no exit or abort) and need no engine, so they define those units;
// but they accept what a scenario must not ("nan", "-5Mbps", " 5Mbps", unit-less "20" with a warning),
// so a strict scanner checks the number first and only well-formed "number unit" strings reach them.
#include "sim/scenario/units.hpp"

#include <fmt/core.h>
#include <xbt/parse_units.hpp>

#include <charconv>
#include <cmath>
#include <exception>
#include <string>
#include <system_error>
#include <vector>

namespace eccsim {
namespace {

// A unit this file defines itself: SI value = number * factor, or number / divisor (exact for the
// powers of ten below one, so "0.69mJ" is the double nearest 0.69e-3).
struct OwnUnit {
  std::string_view symbol;
  double factor = 1;
  double divisor = 1;
};

const std::vector<OwnUnit>& own_units(UnitKind kind) {
  static const std::vector<OwnUnit> power{{"pW", 1, 1e12}, {"nW", 1, 1e9}, {"uW", 1, 1e6}, {"mW", 1, 1e3},
                                          {"W", 1, 1},     {"kW", 1e3, 1}, {"MW", 1e6, 1}};
  static const std::vector<OwnUnit> energy{{"pJ", 1, 1e12}, {"nJ", 1, 1e9}, {"uJ", 1, 1e6}, {"mJ", 1, 1e3},
                                           {"J", 1, 1},     {"kJ", 1e3, 1}, {"MJ", 1e6, 1},
                                           {"mWh", 3.6, 1}, {"Wh", 3600, 1}, {"kWh", 3.6e6, 1}};
  static const std::vector<OwnUnit> rate{{"/s", 1, 1}, {"/ms", 1e3, 1}, {"/min", 1, 60}, {"/h", 1, 3600}};
  static const std::vector<OwnUnit> none;
  switch (kind) {
    case UnitKind::power: return power;
    case UnitKind::energy: return energy;
    case UnitKind::rate: return rate;
    default: return none;
  }
}

// Units named in error messages (SimGrid's tables are not public; these are the common ones).
std::string_view accepted_units(UnitKind kind) {
  switch (kind) {
    case UnitKind::bandwidth: return "bps, kbps, Mbps, Gbps, Tbps, Bps, kBps, MBps, GBps, KiBps, MiBps, GiBps";
    case UnitKind::time: return "ns, us, ms, s, min, h, d, w";
    case UnitKind::speed: return "f, kf, Mf, Gf, Tf, Pf";
    case UnitKind::size: return "B, kB, MB, GB, KiB, MiB, GiB, b, kb, Mb, Gb";
    case UnitKind::power: return "pW, nW, uW, mW, W, kW, MW";
    case UnitKind::energy: return "pJ, nJ, uJ, mJ, J, kJ, MJ, mWh, Wh, kWh";
    case UnitKind::rate: return "/s, /ms, /min, /h";
  }
  return "";
}

// The SI unit symbol, used for zero and as the exact fallback of format_quantity.
std::string_view si_symbol(UnitKind kind) {
  switch (kind) {
    case UnitKind::bandwidth: return "Bps";
    case UnitKind::time: return "s";
    case UnitKind::speed: return "f";
    case UnitKind::size: return "B";
    case UnitKind::power: return "W";
    case UnitKind::energy: return "J";
    case UnitKind::rate: return "/s";
  }
  return "";
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "number[ ]unit" split by the decimal-number grammar [+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?.
struct Scanned {
  bool ok = false;         // a number was found at the start
  bool negative = false;
  std::string_view number; // without a leading '+'
  std::string_view unit;   // after optional spaces; may be empty
};

Scanned scan(std::string_view text) {
  Scanned s;
  if (text.empty()) return s;
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    s.negative = text[i] == '-';
    ++i;
  }
  const size_t start = text[0] == '+' ? 1 : 0;
  size_t digits = 0;
  while (i < text.size() && is_digit(text[i])) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) ++i, ++digits;
  }
  if (digits == 0) return s;
  if (i + 1 < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < text.size() && is_digit(text[j])) {
      while (j < text.size() && is_digit(text[j])) ++j;
      i = j;
    }
  }
  s.ok = true;
  s.number = text.substr(start, i - start);
  while (i < text.size() && text[i] == ' ') ++i;
  s.unit = text.substr(i);
  return s;
}

// from_chars is locale-independent; `number` already matches the grammar above.
double to_double(std::string_view number, std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error == std::errc::result_out_of_range) throw UnitError(fmt::format("'{}' is out of range", text));
  if (error != std::errc() || end != number.data() + number.size()) {
    throw UnitError(fmt::format("'{}' is not a number", text));
  }
  return value;
}

std::string kind_phrase(UnitKind kind) {
  const std::string_view name = unit_kind_name(kind);
  const bool vowel = !name.empty() && std::string_view("aeiou").find(name[0]) != std::string_view::npos;
  return fmt::format("{} {}, e.g. {}", vowel ? "an" : "a", name, unit_kind_example(kind));
}

[[noreturn]] void unknown_unit(std::string_view unit, std::string_view text, UnitKind kind) {
  throw UnitError(fmt::format("unknown unit '{}' in '{}' ({} takes {}; e.g. {})", unit, text,
                              unit_kind_name(kind), accepted_units(kind), unit_kind_example(kind)));
}

double simgrid_parse(const std::string& normalised, UnitKind kind) {
  // File and line are unused: any ParseError is rethrown as a UnitError without them.
  switch (kind) {
    case UnitKind::bandwidth: return xbt_parse_get_bandwidth("", 0, normalised, "bandwidth");
    case UnitKind::time: return xbt_parse_get_time("", 0, normalised, "time");
    case UnitKind::speed: return xbt_parse_get_speed("", 0, normalised, "speed");
    case UnitKind::size: return xbt_parse_get_size("", 0, normalised, "size");
    default: throw std::logic_error("simgrid_parse: not a SimGrid unit kind");
  }
}

}  // namespace

std::string_view unit_kind_name(UnitKind kind) {
  switch (kind) {
    case UnitKind::bandwidth: return "bandwidth";
    case UnitKind::time: return "time";
    case UnitKind::speed: return "speed";
    case UnitKind::size: return "size";
    case UnitKind::power: return "power";
    case UnitKind::energy: return "energy";
    case UnitKind::rate: return "rate";
  }
  return "quantity";
}

std::string_view unit_kind_example(UnitKind kind) {
  switch (kind) {
    case UnitKind::bandwidth: return "20Mbps";
    case UnitKind::time: return "5ms";
    case UnitKind::speed: return "1.5Gf";
    case UnitKind::size: return "784B";
    case UnitKind::power: return "0.5W";
    case UnitKind::energy: return "0.9pJ";
    case UnitKind::rate: return "2/s";
  }
  return "";
}

double parse_number(std::string_view text) {
  if (text.empty()) throw UnitError("empty value (expected a number)");
  const Scanned s = scan(text);
  const size_t sign = text[0] == '+' ? 1 : 0;
  if (!s.ok || s.number.size() + sign != text.size()) throw UnitError(fmt::format("'{}' is not a number", text));
  return to_double(s.number, text);
}

double parse_quantity(std::string_view text, UnitKind kind) {
  if (text.empty()) throw UnitError(fmt::format("empty value (expected {})", kind_phrase(kind)));
  const Scanned s = scan(text);
  if (!s.ok) throw UnitError(fmt::format("'{}' is not {}", text, kind_phrase(kind)));
  const double number = to_double(s.number, text);
  if (s.negative && number != 0) {
    throw UnitError(fmt::format("negative {} '{}'", unit_kind_name(kind), text));
  }
  if (s.unit.empty()) {
    if (number == 0) return 0;  // like SimGrid: zero needs no unit
    throw UnitError(fmt::format("missing unit in '{}' ({})", text, kind_phrase(kind)));
  }
  if (s.unit.find_first_of(" \t") != std::string_view::npos) unknown_unit(s.unit, text, kind);

  double value = 0;
  const std::vector<OwnUnit>& own = own_units(kind);
  if (!own.empty()) {
    const OwnUnit* unit = nullptr;
    for (const OwnUnit& u : own) {
      if (u.symbol == s.unit) unit = &u;
    }
    if (unit == nullptr) unknown_unit(s.unit, text, kind);
    value = number * unit->factor / unit->divisor;
  } else {
    // SimGrid reads "m" as minutes; in a scenario it is too easily meant as milli, so ask.
    if (kind == UnitKind::time && s.unit == "m") {
      throw UnitError(fmt::format("ambiguous unit 'm' in '{}' (write {}min for minutes or {}ms for milliseconds)",
                                  text, s.number, s.number));
    }
    const std::string_view unit = kind == UnitKind::time && s.unit == "min" ? std::string_view("m") : s.unit;
    try {
      value = simgrid_parse(std::string(s.number) + std::string(unit), kind);
    } catch (const std::exception&) {
      unknown_unit(s.unit, text, kind);
    }
  }
  if (!std::isfinite(value)) throw UnitError(fmt::format("'{}' is out of range", text));
  return std::fabs(value);  // "-0s" is 0, not -0
}

std::string format_quantity(double si_value, UnitKind kind) {
  const std::string_view si = si_symbol(kind);
  if (!std::isfinite(si_value) || si_value < 0) return fmt::format("{}{}", si_value, si);
  if (si_value == 0) return fmt::format("0{}", si);

  struct Display {
    std::string_view symbol;
    double scale;     // SI per unit
    bool whole_only;  // used only when the value is an integer number of this unit
  };
  static const std::vector<Display> bandwidth{
      {"Tbps", 1.25e11, false}, {"Gbps", 1.25e8, false}, {"Mbps", 1.25e5, false}, {"kbps", 125, false},
      {"bps", 0.125, false}};
  static const std::vector<Display> time{
      {"h", 3600, true}, {"s", 1, false}, {"ms", 1e-3, false}, {"us", 1e-6, false}, {"ns", 1e-9, false}};
  static const std::vector<Display> speed{{"Pf", 1e15, false}, {"Tf", 1e12, false}, {"Gf", 1e9, false},
                                          {"Mf", 1e6, false},  {"kf", 1e3, false},  {"f", 1, false}};
  static const std::vector<Display> size{{"GiB", 1073741824.0, true}, {"MiB", 1048576.0, true},
                                         {"KiB", 1024, true},         {"GB", 1e9, false},
                                         {"MB", 1e6, false},          {"kB", 1e3, false},
                                         {"B", 1, false}};
  static const std::vector<Display> power{{"MW", 1e6, false},  {"kW", 1e3, false},  {"W", 1, false},
                                          {"mW", 1e-3, false}, {"uW", 1e-6, false}, {"nW", 1e-9, false},
                                          {"pW", 1e-12, false}};
  static const std::vector<Display> energy{{"MJ", 1e6, false},  {"kJ", 1e3, false},  {"J", 1, false},
                                           {"mJ", 1e-3, false}, {"uJ", 1e-6, false}, {"nJ", 1e-9, false},
                                           {"pJ", 1e-12, false}};
  static const std::vector<Display> rate{{"/s", 1, false}};
  const std::vector<Display>* units = &rate;
  switch (kind) {
    case UnitKind::bandwidth: units = &bandwidth; break;
    case UnitKind::time: units = &time; break;
    case UnitKind::speed: units = &speed; break;
    case UnitKind::size: units = &size; break;
    case UnitKind::power: units = &power; break;
    case UnitKind::energy: units = &energy; break;
    case UnitKind::rate: units = &rate; break;
  }

  for (size_t i = 0; i < units->size(); ++i) {
    const Display& d = (*units)[i];
    const double v = si_value / d.scale;
    const bool last = i + 1 == units->size();
    if (v < 1 && !last) continue;
    if (d.whole_only && v != std::floor(v)) continue;
    for (const std::string& number : {fmt::format("{:.12g}", v), fmt::format("{}", v)}) {
      const std::string text = number + std::string(d.symbol);
      try {
        if (parse_quantity(text, kind) == si_value) return text;
      } catch (const UnitError&) {
        // e.g. an exponent form the scanner rejects; try the next form
      }
    }
    break;  // not exact in its own unit: a smaller one would only show rounding noise (863085714285.7pW)
  }
  return fmt::format("{}{}", si_value, si);
}

}  // namespace eccsim
