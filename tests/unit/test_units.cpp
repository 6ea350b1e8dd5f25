// Unit strings: each kind's accepted forms and SI values, the errors a user can hit (missing or
// unknown unit, negative, non-finite, malformed), and format_quantity's exact round trip.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "sim/scenario/units.hpp"

using eccsim::UnitError;
using eccsim::UnitKind;
using eccsim::format_quantity;
using eccsim::parse_quantity;

namespace {

struct Good {
  const char* text;
  UnitKind kind;
  double si;
};

struct Bad {
  const char* text;
  UnitKind kind;
  const char* message;  // a part of the error message
};

}  // namespace

TEST_CASE("unit strings convert to SI", "[units]") {
  const std::vector<Good> cases{
      {"20Mbps", UnitKind::bandwidth, 2.5e6},
      {"1Gbps", UnitKind::bandwidth, 1.25e8},
      {"100kbps", UnitKind::bandwidth, 12500},
      {"12.5MBps", UnitKind::bandwidth, 12.5e6},
      {"1e6Bps", UnitKind::bandwidth, 1e6},
      {"3.92Mbps", UnitKind::bandwidth, 490000},  // paper-constants: 784 B in 1.6 ms
      {"1KiBps", UnitKind::bandwidth, 1024},
      {"20 Mbps", UnitKind::bandwidth, 2.5e6},
      {"5ms", UnitKind::time, 5e-3},
      {"2s", UnitKind::time, 2},
      {"1.5min", UnitKind::time, 90},
      {"100us", UnitKind::time, 1e-4},
      {"1h", UnitKind::time, 3600},
      {"1d", UnitKind::time, 86400},
      {"250ns", UnitKind::time, 250e-9},
      {"1Gf", UnitKind::speed, 1e9},
      {"20Tf", UnitKind::speed, 20e12},
      {"1.5Gf", UnitKind::speed, 1.5e9},
      {"500Mf", UnitKind::speed, 500e6},
      {"1KiB", UnitKind::size, 1024},
      {"2MB", UnitKind::size, 2e6},
      {"784B", UnitKind::size, 784},
      {"8b", UnitKind::size, 1},
      {"0.5W", UnitKind::power, 0.5},
      {"300mW", UnitKind::power, 0.3},
      {"5.48W", UnitKind::power, 5.48},
      {"2kW", UnitKind::power, 2000},
      {"0.9pJ", UnitKind::energy, 0.9e-12},
      {"4.6pJ", UnitKind::energy, 4.6e-12},
      {"0.69mJ", UnitKind::energy, 0.69e-3},
      {"15.167J", UnitKind::energy, 15.167},
      {"5Wh", UnitKind::energy, 18000},
      {"250mWh", UnitKind::energy, 900},
      {"1.5kWh", UnitKind::energy, 5.4e6},
      {"2/s", UnitKind::rate, 2},
      {"0.5/s", UnitKind::rate, 0.5},
      {"120/min", UnitKind::rate, 2},
      {"3600/h", UnitKind::rate, 1},
      {"+2/s", UnitKind::rate, 2},
      {".5s", UnitKind::time, 0.5},
  };
  for (const Good& c : cases) {
    INFO(c.text);
    CHECK(parse_quantity(c.text, c.kind) == Approx(c.si).epsilon(1e-15));
  }
}

TEST_CASE("a bare zero needs no unit but any other number does", "[units]") {
  for (const UnitKind kind : {UnitKind::bandwidth, UnitKind::time, UnitKind::speed, UnitKind::size,
                              UnitKind::power, UnitKind::energy, UnitKind::rate}) {
    INFO(eccsim::unit_kind_name(kind));
    CHECK(parse_quantity("0", kind) == 0);
    CHECK(parse_quantity("0.0", kind) == 0);
    CHECK_THROWS_WITH(parse_quantity("20", kind), Catch::Contains("missing unit in '20'") &&
                                                      Catch::Contains(std::string(eccsim::unit_kind_example(kind))));
  }
  CHECK(std::signbit(parse_quantity("-0s", UnitKind::time)) == false);
}

TEST_CASE("malformed unit strings are rejected with a reason", "[units]") {
  const std::vector<Bad> cases{
      {"20", UnitKind::bandwidth, "missing unit in '20' (a bandwidth, e.g. 20Mbps)"},
      {"20Mbbps", UnitKind::bandwidth, "unknown unit 'Mbbps' in '20Mbbps'"},
      {"20mbps", UnitKind::bandwidth, "unknown unit 'mbps'"},
      {"20Kbps", UnitKind::bandwidth, "unknown unit 'Kbps'"},
      {"-5Mbps", UnitKind::bandwidth, "negative bandwidth '-5Mbps'"},
      {"nan", UnitKind::bandwidth, "'nan' is not a bandwidth"},
      {"infBps", UnitKind::bandwidth, "'infBps' is not a bandwidth"},
      {"0x10Bps", UnitKind::bandwidth, "unknown unit 'x10Bps'"},
      {"1e400Bps", UnitKind::bandwidth, "out of range"},
      {"1e300Tbps", UnitKind::bandwidth, "out of range"},
      {"", UnitKind::bandwidth, "empty value"},
      {"Mbps", UnitKind::bandwidth, "'Mbps' is not a bandwidth"},
      {"20 M bps", UnitKind::bandwidth, "unknown unit"},
      {"5m", UnitKind::time, "ambiguous unit 'm' in '5m' (write 5min for minutes or 5ms for milliseconds)"},
      {"5sec", UnitKind::time, "unknown unit 'sec'"},
      {"-1s", UnitKind::time, "negative time '-1s'"},
      {"2", UnitKind::time, "missing unit in '2' (a time, e.g. 5ms)"},
      {"1GHz", UnitKind::speed, "unknown unit 'GHz'"},
      {"1Gflops", UnitKind::speed, "unknown unit 'Gflops'"},
      {"1KB", UnitKind::size, "unknown unit 'KB'"},
      {"0.5w", UnitKind::power, "unknown unit 'w'"},
      {"-0.5W", UnitKind::power, "negative power"},
      {"0.9pj", UnitKind::energy, "unknown unit 'pj'"},
      {"1Whr", UnitKind::energy, "unknown unit 'Whr'"},
      {"2", UnitKind::rate, "missing unit in '2' (a rate, e.g. 2/s)"},
      {"2/sec", UnitKind::rate, "unknown unit '/sec'"},
      {"2Hz", UnitKind::rate, "unknown unit 'Hz'"},
  };
  for (const Bad& c : cases) {
    INFO(c.text);
    CHECK_THROWS_AS(parse_quantity(c.text, c.kind), UnitError);
    CHECK_THROWS_WITH(parse_quantity(c.text, c.kind), Catch::Contains(c.message));
  }
}

TEST_CASE("unit errors are input errors", "[units]") {
  CHECK_THROWS_AS(eccsim::parse_bandwidth("fast"), eccsim::InputError);
}

TEST_CASE("plain numbers are strict decimals", "[units]") {
  CHECK(eccsim::parse_number("0.7") == 0.7);
  CHECK(eccsim::parse_number("1e-3") == 1e-3);
  CHECK(eccsim::parse_number("+2") == 2);
  CHECK(eccsim::parse_number("-0.5") == -0.5);
  for (const char* bad : {"", "nan", "inf", "0x1p3", "1,5", "0.7 ", "7f", "e3", "."}) {
    INFO(bad);
    CHECK_THROWS_AS(eccsim::parse_number(bad), UnitError);
  }
}

TEST_CASE("format_quantity is readable and parses back to the same double", "[units]") {
  CHECK(format_quantity(2.5e6, UnitKind::bandwidth) == "20Mbps");
  CHECK(format_quantity(490000, UnitKind::bandwidth) == "3.92Mbps");
  CHECK(format_quantity(1.25e9, UnitKind::bandwidth) == "10Gbps");
  CHECK(format_quantity(parse_quantity("2.5ms", UnitKind::time), UnitKind::time) == "2.5ms");
  CHECK(format_quantity(120, UnitKind::time) == "120s");
  CHECK(format_quantity(7200, UnitKind::time) == "2h");
  CHECK(format_quantity(0, UnitKind::time) == "0s");
  CHECK(format_quantity(1e9, UnitKind::speed) == "1Gf");
  CHECK(format_quantity(1024, UnitKind::size) == "1KiB");
  CHECK(format_quantity(784, UnitKind::size) == "784B");
  CHECK(format_quantity(5.48, UnitKind::power) == "5.48W");
  CHECK(format_quantity(0.05, UnitKind::power) == "50mW");
  CHECK(format_quantity(15.167, UnitKind::energy) == "15.167J");
  CHECK(format_quantity(0.9e-12, UnitKind::energy) == "0.9pJ");
  CHECK(format_quantity(0.5, UnitKind::rate) == "0.5/s");
  // Not exact in its own unit (mW): the SI unit, not a smaller unit's rounding noise (863085714285.7144pW).
  CHECK(format_quantity(23.6e-12 * 128 / 3.5e-9, UnitKind::power) == "0.8630857142857143W");

  const std::vector<double> values{0,      1,       0.1,       1.0 / 3,  2.5e-3,   0.69e-3, 15.167,  4.6e-12,
                                   3.7e-9, 123456789.123, 1e-30, 1e30,  2.0 / 7e5, 6.02e23, 490000.1, 1e-12};
  for (const UnitKind kind : {UnitKind::bandwidth, UnitKind::time, UnitKind::speed, UnitKind::size,
                              UnitKind::power, UnitKind::energy, UnitKind::rate}) {
    for (const double v : values) {
      const std::string text = format_quantity(v, kind);
      INFO(eccsim::unit_kind_name(kind) << " " << v << " -> " << text);
      CHECK(parse_quantity(text, kind) == v);
    }
  }
}
