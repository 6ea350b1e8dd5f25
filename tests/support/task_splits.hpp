// Task splits the unit tests share.
#pragma once

#include "models/data/task_split.hpp"

namespace eccsim::testing {

// Ten classes in five tasks of two, seed 7.
inline TaskSplit five_tasks() {
  TaskSplitOptions options;
  options.num_classes = 10;
  options.tasks = 5;
  options.seed = 7;
  return make_task_split(options);
}

}  // namespace eccsim::testing
