// Policy plugins that break the interface (include/eccsim/policy.h) in one way each, for the tests of
// eccsim's refusals: built once per FAULT value (tests/CMakeLists.txt). Written in C++ so that it can
// throw through the C interface, as a careless C++ plugin would. Params: after (requests decided
// before a run-time fault), threshold (entropy above it offloads, until then).
#include <eccsim/policy.h>

#include <stdexcept>

namespace {

struct Instance {
  double after = 0;
  double threshold = 0.7;
  long decided = 0;
};

void* create(const eccsim_policy_setup* setup, char* error) {
  static const char* const known[] = {"after", "threshold", nullptr};
  Instance config;
  if (eccsim_policy_check_params(setup, known, error) != 0 ||
      eccsim_policy_number_param(setup, "after", 0, 1e9, &config.after, error) != 0 ||
      eccsim_policy_number_param(setup, "threshold", 0, 1, &config.threshold, error) != 0)
    return nullptr;
#if FAULT == FAULT_CREATE_THROWS
  throw std::runtime_error("cannot set up");
#endif
  return new Instance(config);
}

int decide(void* instance, const eccsim_policy_request* request, char* error) {
  auto* self = static_cast<Instance*>(instance);
  if (self->decided++ >= self->after) {
#if FAULT == FAULT_DECIDE_THROWS
    throw std::runtime_error("decide gave up");
#elif FAULT == FAULT_BAD_ANSWER
    (void)error;
    return 7;
#elif FAULT == FAULT_DECIDE_ERROR
    snprintf(error, ECCSIM_POLICY_ERROR_SIZE, "no decision for request %lld", (long long)request->request_id);
    return -1;
#endif
  }
  return request->entropy > self->threshold ? ECCSIM_OFFLOAD : ECCSIM_KEEP;
}

int learn(void* instance, const eccsim_policy_feedback* feedback, char* error) {
  (void)instance;
#if FAULT == FAULT_LEARN_ERROR
  snprintf(error, ECCSIM_POLICY_ERROR_SIZE, "cannot learn from request %lld", (long long)feedback->request_id);
  return -3;
#else
  (void)feedback;
  (void)error;
  return 0;
#endif
}

void destroy(void* instance) { delete static_cast<Instance*>(instance); }

}  // namespace

#if FAULT == FAULT_NO_ENTRY
extern "C" const eccsim_policy_api* eccsim_offload_policy_v2() {
#else
const eccsim_policy_api* eccsim_offload_policy() {
#endif
  static const eccsim_policy_api policy = {
      FAULT == FAULT_WRONG_VERSION ? ECCSIM_POLICY_API_VERSION + 1 : ECCSIM_POLICY_API_VERSION, "faulty", create,
      FAULT == FAULT_NO_DECIDE ? nullptr : decide, learn, destroy};
  return &policy;
}
