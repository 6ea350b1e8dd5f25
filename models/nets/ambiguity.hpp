// The offload filters' inputs from one edge inference's logits (ECC-SNN's execution stage): the
// normalised entropy of each task head, H_k = -sum p log p / log C_k, minimised over heads; the
// maximum softmax probability over all learned classes; and the top-1 minus top-2 margin.
#pragma once

#include <cstdint>
#include <vector>

namespace eccsim {

struct Ambiguity {
  int32_t predicted = -1;   // argmax over all heads (the first of equal maxima)
  float entropy_score = 0;  // min over heads of H_k / log C_k, in [0, 1]; 0 when a head has one class
  float max_prob = 0;       // softmax over all learned classes
  float margin = 0;         // top-1 minus top-2 probability (top-1 with a single class)
};

// `logits` are the heads' outputs concatenated in task order; `head_sizes` their class counts.
// Each head's normalised entropy H_k / log C_k (0 for a one-class head), in head order, into
// `entropies` (its capacity reused: no allocation per call once it has grown).
void head_entropies(const std::vector<float>& logits, const std::vector<int64_t>& head_sizes,
                    std::vector<double>& entropies);

Ambiguity ambiguity_of(const std::vector<float>& logits, const std::vector<int64_t>& head_sizes);

}  // namespace eccsim
