// The battery's charge: drained continuously, spent in steps, empty at the exact moment either
// takes the last joule.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/policy/battery.hpp"

using eccsim::Battery;

TEST_CASE("a battery empties when its drain or a step takes the last joule", "[battery]") {
  const Battery mains;
  CHECK(mains.powered_by_mains());
  CHECK(std::isinf(mains.empty_at_s()));
  CHECK_FALSE(mains.empty_by(1e12));

  Battery drained(10, 2);  // 10 J at 2 W: empty at 5 s without spending
  CHECK(drained.empty_at_s() == 5);
  drained.spend(4, 1);     // at 1 s: 2 J drained, 4 spent, 4 left: empty at 3 s
  CHECK(drained.empty_at_s() == Approx(3));
  CHECK(drained.left_J(2) == Approx(2));
  CHECK_FALSE(drained.empty_by(2.9));
  CHECK(drained.empty_by(3));

  Battery stepped(10, 1);
  stepped.spend(8, 1);     // 1 J drained, 8 spent: 1 left
  stepped.spend(3, 1.5);   // this step takes the last joule: empty at 1.5 s
  CHECK(stepped.empty_at_s() == 1.5);
  CHECK(stepped.left_J(1.5) == 0);

  Battery late(10, 1);
  late.spend(1, 20);       // the drain had emptied it at 10 s, before this step
  CHECK(late.empty_at_s() == 10);

  CHECK_FALSE(late.dead());
  late.die(late.empty_at_s());
  CHECK(late.dead());
  CHECK(late.death_s() == 10);
}
