// Which classes a device's next head learns (docs/updates.md, "The update stage"), pure: policy.update.classes
// `task_order` takes the split's next task once `trigger` buffered samples carry its classes;
// `cloud_labels` takes as many classes as that task has, the first ones the model does not know in
// the order the cloud first labelled them in the device's buffer, each with enough samples.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "models/data/task_split.hpp"
#include "sim/policy/update_buffer.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

// What a device's model has learned so far.
struct LearnedClasses {
  int heads = 0;                        // its heads
  std::vector<int32_t> labels;          // the label of each output (EdgeModel::output_labels)
};

// The head an update adds: its index and its classes.
struct NextHead {
  int head = 0;                         // = the heads the model has; the split's task of that index sets its size
  std::vector<int32_t> classes;         // re-indexed labels, ascending
};

// The classes the cloud labelled into a device's buffer, in the order it first did (one reply at a time).
class LabelOrder {
 public:
  void note(int32_t cloud_label);       // a reply's label joined the buffer
  const std::vector<int32_t>& labels() const { return labels_; }

 private:
  std::vector<int32_t> labels_;
};

// Samples of each of the head's n classes needed under cloud_labels: ceil(trigger / n), so that the
// head's classes hold at least `trigger` samples together, as under task_order.
int64_t per_class_trigger(int trigger, int64_t classes);

// The head whose update should start now, or none (every task's head learned, or too few samples).
// task_order: the split's task `heads`, once `update.trigger` buffered samples carry its classes.
// cloud_labels: n = that task's size; the first n classes of `order` the model does not know among
// those with at least per_class_trigger(trigger, n) buffered samples, once there are n of them.
std::optional<NextHead> next_head(const UpdateConfig& update, const TaskSplit& split, const LearnedClasses& learned,
                                  const std::deque<BufferedSample>& buffer, const LabelOrder& order);

}  // namespace eccsim
