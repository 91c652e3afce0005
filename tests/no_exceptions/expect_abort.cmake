# Runs a program that must fail (abort), printing a message that matches REGEX.
#   cmake -DPROGRAM=<path> -DARGS=<args> -DREGEX=<regex> -P expect_abort.cmake
execute_process(COMMAND ${PROGRAM} ${ARGS} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} ${ARGS} succeeded, but must abort")
endif()
if(NOT err MATCHES "${REGEX}")
  message(FATAL_ERROR "${PROGRAM} ${ARGS} failed (${status}) without the message ${REGEX}:\n${out}${err}")
endif()
message(STATUS "aborted as expected (${status}): ${err}")
