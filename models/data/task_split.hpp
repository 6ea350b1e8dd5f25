// Class-incremental task split (ECC-SNN's update stage): classes are shuffled with the
// scenario seed (or put in a given order), re-indexed in that order, and cut into tasks
// ("B-0 Inc-v": equal split).
#pragma once

#include <cstdint>
#include <vector>

namespace eccsim {

struct TaskSplitOptions {
  int num_classes = 10;
  int tasks = 5;
  int base_classes = 0;          // classes of the first task; 0 = equal split, remainder to the first tasks
  uint64_t seed = 2025;
  std::vector<int32_t> class_order;   // explicit order (dataset class ids, all of them once); empty: shuffled by seed
};

struct TaskSplit {
  std::vector<int32_t> class_order;               // class_order[new_label] = original class id
  std::vector<int32_t> new_label_of;              // new_label_of[original class id] = new label
  std::vector<std::vector<int32_t>> task_classes; // per task, its new labels (contiguous, ascending)

  int num_tasks() const { return static_cast<int>(task_classes.size()); }
  int task_of(int32_t new_label) const;           // which task a (re-indexed) class belongs to
};

// Throws InputError when the options cannot be satisfied (e.g. more tasks than classes).
TaskSplit make_task_split(const TaskSplitOptions& options);

// Indices into `labels` (original class ids) of the samples whose classes belong to task t.
std::vector<int64_t> task_samples(const TaskSplit& split, const std::vector<int32_t>& labels, int task);

}  // namespace eccsim
