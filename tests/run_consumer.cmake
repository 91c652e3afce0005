# Configure, build and run a consumer project (its programs consumer and consumer_eigen):
#   cmake -DSOURCE=... -DBUILD=... -DARGS=... -P run_consumer.cmake
# (-DRUN=OFF: a project that only has to build.)
file(REMOVE_RECURSE ${BUILD})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${BUILD} ${ARGS} COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} COMMAND_ERROR_IS_FATAL ANY)
if(NOT DEFINED RUN OR RUN)
  execute_process(COMMAND ${BUILD}/consumer COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND ${BUILD}/consumer_eigen COMMAND_ERROR_IS_FATAL ANY)
endif()
