# ctest: every scenario text the unit tests tagged [fuzz-seeds] read (the malformed-scenario table,
# hostile text, the admission cases) goes through the fuzz target's checks, as scripts/fuzz seeds it.
# cmake -DTESTS=<eccsim_tests> -DREPLAY=<eccsim_fuzz_replay> -DSEEDS=<dir> -P replay_test_seeds.cmake
file(REMOVE_RECURSE "${SEEDS}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env ECCSIM_FUZZ_SEEDS=${SEEDS} ${TESTS} [fuzz-seeds]
  RESULT_VARIABLE tests_status OUTPUT_VARIABLE tests_output ERROR_VARIABLE tests_output)
if(NOT tests_status EQUAL 0)
  message(FATAL_ERROR "the [fuzz-seeds] tests failed:\n${tests_output}")
endif()
file(GLOB seeds "${SEEDS}/*")
list(LENGTH seeds count)
# The tests read well over 150 distinct texts; far fewer means the seeds stopped being kept.
if(count LESS 150)
  message(FATAL_ERROR "only ${count} seeds kept in ${SEEDS}")
endif()
execute_process(COMMAND ${REPLAY} ${SEEDS} RESULT_VARIABLE replay_status ERROR_VARIABLE replay_output)
if(NOT replay_status EQUAL 0)
  string(REGEX REPLACE "[^\n]*/test-[0-9a-f]+\\.yaml\n" "" replay_output "${replay_output}")
  message(FATAL_ERROR "a seed from the tests fails the fuzz target's checks (status ${replay_status}):\n${replay_output}")
endif()
message(STATUS "${count} seeds from the tests pass the fuzz target's checks")
