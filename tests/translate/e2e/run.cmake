# Configures, builds and tests a consumer project that has its own ctest tests:
#   cmake -DSOURCE=... -DBUILD=... -DARGS=... -P run.cmake
# The build runs one job at a time: ctest already runs two such projects side by side.
file(REMOVE_RECURSE ${BUILD})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${BUILD} ${ARGS} COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} --parallel 1 COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --output-on-failure WORKING_DIRECTORY ${BUILD} COMMAND_ERROR_IS_FATAL ANY)
