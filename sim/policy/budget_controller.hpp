// The online offload budget (policy.offload.budget): each device keeps the share it offloads over
// a sliding window at the budget while the class mix drifts. Before each decision the threshold is
// the one that would have offloaded, of the scores seen in the last window, the budget plus what
// that window fell short of it (or minus its excess): a windowed quantile (calibration.hpp's
// threshold_for_share, equal weights) with feedback on the realised share, so it follows the score
// distribution with a lag of about one window and pays the lag back. Until the window holds
// kMinScores scores the threshold calibrated for the budget stands. Pure, no SimGrid.
#pragma once

#include <cstdint>
#include <deque>

#include "sim/policy/offload_policy.hpp"

namespace eccsim {

class BudgetController {
 public:
  static constexpr size_t kMinScores = 20;

  BudgetController(OffloadFilter filter, double window_s, Threshold start);

  // The threshold for an input arriving at now_s, for a total share `budget` of which exploration
  // offloads `explore` of the rest (offload_policy.hpp's filter_share).
  Threshold threshold(double now_s, double budget, double explore);
  // Adds the input's score and whether it was offloaded (by the filter, exploration or not).
  void observe(double t_s, double score, bool offloaded);
  // A new model: its scores differ from the window's, which starts again from `start`.
  void restart(Threshold start);

  // The window ending at t_s (no later than the next input): how many inputs, and the share offloaded.
  size_t window_inputs(double t_s);
  double window_offloaded_share(double t_s);

 private:
  struct Seen {
    double t_s;
    double score;
    bool offloaded;
  };
  void forget_before(double t_s);

  OffloadFilter filter_;
  double window_s_;
  Threshold start_;
  std::deque<Seen> window_;
  int64_t offloaded_ = 0;              // in the window
};

}  // namespace eccsim
