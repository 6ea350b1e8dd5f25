// Catch2 v2 runner for the eccsim test suite.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
