# cmake -P tests/layer_includes.cmake SOURCE_DIR: fails, naming file and line, when a source file
# includes a header its layer must not see (the same rules as cmake/LayerRules.cmake on links).
#   core/       nothing of models/, sim/, app/; no LibTorch, SimGrid or yaml-cpp
#   models/     nothing of sim/ or app/; no SimGrid
#   sim/        nothing of app/
#   sim/policy/, sim/report/, sim/workload/: decisions, costs, records and schedules, no engine:
#               no SimGrid, nothing of sim/actors/ (the actors and the run state they share) nor
#               the run's assembly at the top of sim/ (simulation, platform, engine options)
#   app/sweep/  nothing of models/ or sim/ but sim/scenario/scenario.hpp (plain structs); no LibTorch or SimGrid
set(source_dir "${CMAKE_ARGV3}")
if(NOT source_dir OR NOT IS_DIRECTORY "${source_dir}")
  message(FATAL_ERROR "usage: cmake -P tests/layer_includes.cmake SOURCE_DIR")
endif()

set(rules
  "core|\"(models|sim|app)/|<(torch|simgrid|xbt|yaml-cpp)/"
  "models|\"(sim|app)/|<(simgrid|xbt)/"
  "sim|\"app/"
  "sim/policy|\"sim/(actors/|[a-z_]+\\.hpp)|<(simgrid|xbt)/"
  "sim/report|\"sim/(actors/|[a-z_]+\\.hpp)|<(simgrid|xbt)/"
  "sim/workload|\"sim/(actors/|[a-z_]+\\.hpp)|<(simgrid|xbt)/"
  "app/sweep|\"models/|\"sim/(actors|policy|report|scenario/scenario_yaml|scenario/units)|\"sim/[a-z_]+\\.hpp|<(torch|simgrid|xbt)/")
set(violations 0)
foreach(rule IN LISTS rules)
  string(FIND "${rule}" "|" bar)
  string(SUBSTRING "${rule}" 0 ${bar} dir)
  math(EXPR start "${bar} + 1")
  string(SUBSTRING "${rule}" ${start} -1 forbidden)
  file(GLOB_RECURSE files "${source_dir}/${dir}/*.cpp" "${source_dir}/${dir}/*.hpp")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" lines REGEX "^#include ")
    foreach(line IN LISTS lines)
      if(line MATCHES "^#include (${forbidden})")
        file(RELATIVE_PATH relative "${source_dir}" "${file}")
        message(SEND_ERROR "${relative}: ${line}: the ${dir}/ layer must not include this")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations GREATER 0)
  message(FATAL_ERROR "${violations} include(s) break the layer rules")
endif()
message(STATUS "layer rules: every #include respects its layer")
