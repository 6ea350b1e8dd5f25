// The update stage's pure decisions (sim/policy): what the bounded buffer keeps and which classes
// the next head learns.
#include <catch2/catch.hpp>

#include <algorithm>

#include "sim/policy/head_classes.hpp"
#include "sim/policy/update_buffer.hpp"
#include "tests/support/task_splits.hpp"

using namespace eccsim;
using eccsim::testing::five_tasks;

TEST_CASE("the update buffer keeps every class's share when full, or the newest samples", "[update]") {
  UpdateConfig update;
  update.buffer = 12;
  std::deque<BufferedSample> buffer;
  // Class 0 floods the buffer first; classes 1 and 2 arrive later and still get their share.
  for (int i = 0; i < 30; ++i) keep_in_buffer(buffer, {i, 0}, update);
  for (int i = 30; i < 40; ++i) keep_in_buffer(buffer, {i, 1}, update);
  for (int i = 40; i < 44; ++i) keep_in_buffer(buffer, {i, 2}, update);
  REQUIRE(buffer.size() == 12);
  CHECK(count_in_classes(buffer, {0}) == 4);
  CHECK(count_in_classes(buffer, {1}) == 4);
  CHECK(count_in_classes(buffer, {2}) == 4);
  CHECK(count_in_classes(buffer, {1, 2}) == 8);
  // Within a class the oldest go first: class 0 keeps its four newest.
  std::vector<int64_t> class0;
  for (const BufferedSample& b : buffer)
    if (b.cloud_label == 0) class0.push_back(b.sample);
  CHECK(class0 == std::vector<int64_t>{26, 27, 28, 29});

  update.buffer_policy = BufferPolicy::Fifo;
  std::deque<BufferedSample> fifo;
  for (int i = 0; i < 30; ++i) keep_in_buffer(fifo, {i, i < 25 ? 0 : 1}, update);
  REQUIRE(fifo.size() == 12);
  CHECK(fifo.front().sample == 18);
  CHECK(count_in_classes(fifo, {1}) == 5);

  const ImageSet images;
  const LabelledSamples samples = buffer_samples(fifo, &images);
  CHECK(samples.images == &images);
  CHECK(samples.indices.size() == 12);
  CHECK(samples.labels.back() == 1);
}

namespace {

// `count` samples of `label` appended to `buffer` (and to the cloud's label order), ids from `next`.
void label_samples(std::deque<BufferedSample>& buffer, LabelOrder& order, int32_t label, int count, int64_t& next) {
  for (int k = 0; k < count; ++k) {
    buffer.push_back({next++, label});
    order.note(label);
  }
}

}  // namespace

TEST_CASE("the next head: the split's next task, or the classes the cloud labelled first", "[update]") {
  const TaskSplit split = five_tasks();   // re-indexed tasks {0, 1}, {2, 3}, ..., {8, 9}
  REQUIRE(split.task_classes[1] == std::vector<int32_t>{2, 3});
  UpdateConfig update;
  update.trigger = 10;
  const LearnedClasses base{1, {0, 1}};
  std::deque<BufferedSample> buffer;
  LabelOrder order;
  int64_t id = 0;

  // The cloud labels 7 first, then an old class, then 4 and 2: a later task before the split's next one.
  label_samples(buffer, order, 7, 5, id);
  label_samples(buffer, order, 0, 30, id);
  label_samples(buffer, order, 4, 4, id);
  label_samples(buffer, order, 2, 6, id);
  CHECK(order.labels() == std::vector<int32_t>{7, 0, 4, 2});

  update.classes = UpdateClasses::TaskOrder;
  CHECK_FALSE(next_head(update, split, base, buffer, order));   // 6 of task 1's classes, trigger 10
  update.classes = UpdateClasses::CloudLabels;
  // Two classes (task 1's size), each with ceil(10 / 2) = 5 samples: 7 and 2 (4 has four), sorted.
  std::optional<NextHead> next = next_head(update, split, base, buffer, order);
  REQUIRE(next);
  CHECK(next->head == 1);
  CHECK(next->classes == std::vector<int32_t>{2, 7});
  // A fifth 4: it was labelled before 2, so the head takes 7 and 4.
  label_samples(buffer, order, 4, 1, id);
  next = next_head(update, split, base, buffer, order);
  REQUIRE(next);
  CHECK(next->classes == std::vector<int32_t>{4, 7});

  // Task order waits for task 1's classes whatever the cloud labelled first.
  update.classes = UpdateClasses::TaskOrder;
  CHECK_FALSE(next_head(update, split, base, buffer, order));
  label_samples(buffer, order, 3, 4, id);
  next = next_head(update, split, base, buffer, order);
  REQUIRE(next);
  CHECK(next->head == 1);
  CHECK(next->classes == std::vector<int32_t>{2, 3});

  // Classes already learned never count, and the next head's size is the split's next task's.
  update.classes = UpdateClasses::CloudLabels;
  const LearnedClasses two_heads{2, {0, 1, 7, 4}};
  CHECK_FALSE(next_head(update, split, two_heads, buffer, order));   // 2 has six, 3 only four
  label_samples(buffer, order, 3, 1, id);
  next = next_head(update, split, two_heads, buffer, order);
  REQUIRE(next);
  CHECK(next->head == 2);
  CHECK(next->classes == std::vector<int32_t>{2, 3});
  CHECK_FALSE(next_head(update, split, LearnedClasses{5, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, buffer, order));
}

TEST_CASE("the next head: when the cloud's order is the split's, both rules pick the same classes", "[update]") {
  const TaskSplit split = five_tasks();
  UpdateConfig update;
  update.trigger = 10;
  std::deque<BufferedSample> buffer;
  LabelOrder order;
  int64_t id = 0;
  label_samples(buffer, order, 3, 5, id);
  label_samples(buffer, order, 2, 5, id);
  for (const UpdateClasses rule : {UpdateClasses::TaskOrder, UpdateClasses::CloudLabels}) {
    update.classes = rule;
    const std::optional<NextHead> next = next_head(update, split, LearnedClasses{1, {0, 1}}, buffer, order);
    REQUIRE(next);
    CHECK(next->classes == std::vector<int32_t>{2, 3});   // ascending within the head
  }
  // Unequal tasks: a head of three classes needs ceil(10 / 3) = 4 samples of each.
  CHECK(per_class_trigger(10, 3) == 4);
  CHECK(per_class_trigger(20, 2) == 10);
  CHECK(per_class_trigger(1, 2) == 1);
  TaskSplitOptions uneven;
  uneven.tasks = 3;
  uneven.base_classes = 4;   // tasks of 4, 3 and 3 classes
  const TaskSplit three = make_task_split(uneven);
  REQUIRE(three.task_classes[1].size() == 3);
  update.classes = UpdateClasses::CloudLabels;
  std::deque<BufferedSample> held;
  LabelOrder labelled;
  label_samples(held, labelled, 9, 4, id);
  label_samples(held, labelled, 5, 4, id);
  label_samples(held, labelled, 8, 3, id);
  const LearnedClasses four{1, {0, 1, 2, 3}};
  CHECK_FALSE(next_head(update, three, four, held, labelled));
  label_samples(held, labelled, 8, 1, id);
  const std::optional<NextHead> next = next_head(update, three, four, held, labelled);
  REQUIRE(next);
  CHECK(next->classes == std::vector<int32_t>{5, 8, 9});
}
