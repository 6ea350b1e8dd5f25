// Plain loops in double precision over a handful of logits per sample (see ambiguity.hpp).
#include "models/nets/ambiguity.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace eccsim {

namespace {

// Softmax of logits[begin, end), shifted by the maximum for stability.
std::vector<double> softmax(const std::vector<float>& logits, size_t begin, size_t end) {
  const float top = *std::max_element(logits.begin() + static_cast<std::ptrdiff_t>(begin),
                                      logits.begin() + static_cast<std::ptrdiff_t>(end));
  std::vector<double> p(end - begin);
  double sum = 0;
  for (size_t c = begin; c < end; ++c) sum += p[c - begin] = std::exp(static_cast<double>(logits[c]) - top);
  for (double& x : p) x /= sum;
  return p;
}

}  // namespace

void head_entropies(const std::vector<float>& logits, const std::vector<int64_t>& head_sizes,
                    std::vector<double>& entropies) {
  int64_t classes = 0;
  for (const int64_t size : head_sizes) classes += size;
  if (logits.empty() || classes != static_cast<int64_t>(logits.size())) {
    throw std::invalid_argument("head_entropies: the logits do not match the head sizes");
  }
  entropies.clear();
  size_t begin = 0;
  for (const int64_t size : head_sizes) {
    const size_t end = begin + static_cast<size_t>(size);
    double entropy = 0;   // a one-class head is never in doubt
    if (size >= 2) {
      // The head's softmax, shifted by its maximum, without storing it: each exp is computed again
      // for the entropy (the same values a stored softmax would hold).
      const float top = *std::max_element(logits.begin() + static_cast<std::ptrdiff_t>(begin),
                                          logits.begin() + static_cast<std::ptrdiff_t>(end));
      double sum = 0;
      for (size_t c = begin; c < end; ++c) sum += std::exp(static_cast<double>(logits[c]) - top);
      for (size_t c = begin; c < end; ++c) {
        const double p = std::exp(static_cast<double>(logits[c]) - top) / sum;
        entropy -= p > 0 ? p * std::log(p) : 0;
      }
      entropy /= std::log(static_cast<double>(size));
    }
    entropies.push_back(entropy);
    begin = end;
  }
}

Ambiguity ambiguity_of(const std::vector<float>& logits, const std::vector<int64_t>& head_sizes) {
  std::vector<double> entropies;
  head_entropies(logits, head_sizes, entropies);
  double score = 1;
  for (const double entropy : entropies) score = std::min(score, entropy);
  Ambiguity a;
  const std::vector<double> p = softmax(logits, 0, logits.size());
  const auto top = std::max_element(p.begin(), p.end());
  a.predicted = static_cast<int32_t>(top - p.begin());
  double second = 0;
  for (size_t c = 0; c < p.size(); ++c) {
    if (static_cast<int32_t>(c) != a.predicted) second = std::max(second, p[c]);
  }
  a.entropy_score = static_cast<float>(std::clamp(score, 0.0, 1.0));
  a.max_prob = static_cast<float>(*top);
  a.margin = static_cast<float>(*top - second);
  return a;
}

}  // namespace eccsim
