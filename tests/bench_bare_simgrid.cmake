# cmake -P tests/bench_bare_simgrid.cmake BARE_SIMGRID: the benchmark's bare SimGrid program gives the
# same result line with its devices as actors and pooled (one actor per block, couriers): the
# reference scripts/bench --million sets beside eccsim's devices driven as state.
set(bare "${CMAKE_ARGV3}")
set(lines "")
foreach(mode actors pooled)
  # 3,000 devices: three blocks of 1,024; a cloud slow enough for fallbacks.
  execute_process(COMMAND "${bare}" --devices 3000 --requests-per-device 3 --rate 2 --offload-rate 0.78
                          --cloud-macs 3e11 --devices-as ${mode}
                          --log=xbt_cfg.thres:warning --log=host_energy.thres:warning
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0 OR NOT out MATCHES "bare_simgrid: 9000 requests")
    message(FATAL_ERROR "bare_simgrid --devices-as ${mode}: exit ${status}\n${out}${err}")
  endif()
  string(REGEX REPLACE ", wall_s=.*" "" result "${out}")   # all but the wall time
  list(APPEND lines "${result}")
endforeach()
list(GET lines 0 actors)
list(GET lines 1 pooled)
if(NOT actors STREQUAL pooled)
  message(FATAL_ERROR "bare_simgrid: actors and pooled differ\n${actors}\n${pooled}")
endif()
if(actors MATCHES "fallbacks 0,")
  message(FATAL_ERROR "bare_simgrid: no fallbacks to compare\n${actors}")
endif()
