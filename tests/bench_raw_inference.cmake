# cmake -P tests/bench_raw_inference.cmake RAW_INFERENCE MODELS_DIR WORK_DIR: the benchmark's raw
# reference reads a run's unique samples from requests.csv's `sample` column, wherever it stands
# (the columns before it have grown), and refuses a file without one.
set(raw "${CMAKE_ARGV3}")
set(models "${CMAKE_ARGV4}")
set(work "${CMAKE_ARGV5}")
file(MAKE_DIRECTORY "${work}")

# Samples 3, 5, 3 behind columns whose arrival times all read as one integer: two unique samples.
file(WRITE "${work}/requests.csv"
  "request_id,device,group,site,t_arrival_s,t_done_s,sample,label\n"
  "0,0,fleet,site,0.250000000,0.300000000,3,1\n"
  "1,1,fleet,site,0.250000000,0.310000000,5,2\n"
  "2,0,fleet,site,0.250000000,0.320000000,3,1\n")
execute_process(COMMAND "${raw}" --models "${models}" --requests "${work}/requests.csv" --threads 1
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0 OR NOT out MATCHES "edge_samples=2 cloud_samples=2 ")
  message(FATAL_ERROR "raw_inference on 2 unique samples: exit ${status}\n${out}${err}")
endif()

file(WRITE "${work}/no-sample.csv" "request_id,device,t_arrival_s\n0,0,0.25\n")
execute_process(COMMAND "${raw}" --models "${models}" --requests "${work}/no-sample.csv"
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 2 OR NOT err MATCHES "no-sample.csv: no `sample` column in its header")
  message(FATAL_ERROR "raw_inference without a sample column: exit ${status}\n${out}${err}")
endif()
