// The next head's classes; see head_classes.hpp.
#include "sim/policy/head_classes.hpp"

#include <algorithm>
#include <map>

namespace eccsim {

void LabelOrder::note(int32_t cloud_label) {
  if (std::find(labels_.begin(), labels_.end(), cloud_label) == labels_.end()) labels_.push_back(cloud_label);
}

int64_t per_class_trigger(int trigger, int64_t classes) { return (trigger + classes - 1) / classes; }

std::optional<NextHead> next_head(const UpdateConfig& update, const TaskSplit& split, const LearnedClasses& learned,
                                  const std::deque<BufferedSample>& buffer, const LabelOrder& order) {
  if (learned.heads >= split.num_tasks()) return std::nullopt;   // every task's head learned
  const std::vector<int32_t>& task = split.task_classes[static_cast<size_t>(learned.heads)];
  if (update.classes == UpdateClasses::TaskOrder) {
    if (count_in_classes(buffer, task) < update.trigger) return std::nullopt;
    return NextHead{learned.heads, task};
  }
  const auto n = static_cast<int64_t>(task.size());
  const int64_t needed = per_class_trigger(update.trigger, n);
  std::map<int32_t, int64_t> held;
  for (const BufferedSample& b : buffer) ++held[b.cloud_label];
  NextHead next{learned.heads, {}};
  for (const int32_t label : order.labels()) {
    if (static_cast<int64_t>(next.classes.size()) == n) break;
    if (std::find(learned.labels.begin(), learned.labels.end(), label) != learned.labels.end()) continue;
    const auto it = held.find(label);
    if (it != held.end() && it->second >= needed) next.classes.push_back(label);
  }
  if (static_cast<int64_t>(next.classes.size()) < n) return std::nullopt;
  std::sort(next.classes.begin(), next.classes.end());
  return next;
}

}  // namespace eccsim
