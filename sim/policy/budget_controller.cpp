// Windowed quantile of the filter's scores; see budget_controller.hpp.
#include "sim/policy/budget_controller.hpp"

#include <algorithm>
#include <vector>

#include "sim/policy/calibration.hpp"

namespace eccsim {

BudgetController::BudgetController(OffloadFilter filter, double window_s, Threshold start)
    : filter_(filter), window_s_(window_s), start_(start) {}

void BudgetController::forget_before(double t_s) {
  while (!window_.empty() && window_.front().t_s < t_s) {
    offloaded_ -= window_.front().offloaded ? 1 : 0;
    window_.pop_front();
  }
}

Threshold BudgetController::threshold(double now_s, double budget, double explore) {
  forget_before(now_s - window_s_);
  if (window_.size() < kMinScores) return start_;
  // What the window offloaded above the budget is paid back below it (and the other way), so the
  // lag after a shift of the scores does not stay in the share.
  const double offloaded = static_cast<double>(offloaded_) / static_cast<double>(window_.size());
  const double aimed = std::clamp(budget + (budget - offloaded), 0.0, 1.0);
  const double share = filter_share(aimed, explore);
  std::vector<WeightedScore> scores;
  scores.reserve(window_.size());
  for (const Seen& seen : window_) scores.push_back({seen.score, 1.0});
  return threshold_for_share(filter_, std::move(scores), share);
}

void BudgetController::observe(double t_s, double score, bool offloaded) {
  window_.push_back({t_s, score, offloaded});
  offloaded_ += offloaded ? 1 : 0;
}

void BudgetController::restart(Threshold start) {
  start_ = start;
  window_.clear();
  offloaded_ = 0;
}

size_t BudgetController::window_inputs(double t_s) {
  forget_before(t_s - window_s_);
  return window_.size();
}

double BudgetController::window_offloaded_share(double t_s) {
  forget_before(t_s - window_s_);
  return window_.empty() ? 0 : static_cast<double>(offloaded_) / static_cast<double>(window_.size());
}

}  // namespace eccsim
