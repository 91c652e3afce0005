# A consumer that uses only pkg-config: cflags from the installed knossos.pc (or
# MODULE, e.g. knossos-clang), one compiler call with exactly those flags and
# -std=c++20, the program run, the version it prints compared with pkg-config's; then,
# given EIGEN_SOURCE, one with the Eigen adapter, from `pkg-config --cflags knossos eigen3`.
#   cmake -DPREFIX=<install prefix> -DCXX=<compiler> -DSOURCE=<consumer.cpp> -DBUILD=<dir>
#         [-DMODULE=...] [-DEIGEN_SOURCE=<consumer_eigen.cpp>] -P run.cmake
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig")
if(NOT MODULE)
  set(MODULE knossos)
endif()
execute_process(COMMAND ${PKG_CONFIG} --cflags ${MODULE} OUTPUT_VARIABLE cflags OUTPUT_STRIP_TRAILING_WHITESPACE
                COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${PKG_CONFIG} --modversion ${MODULE} OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE
                COMMAND_ERROR_IS_FATAL ANY)
string(FIND "${cflags}" "-I${PREFIX}/share/pkgconfig/../../include" at)  # not MATCHES: the prefix may hold a '+'
if(at EQUAL -1)
  message(FATAL_ERROR "knossos.pc does not point into the prefix: ${cflags}")
endif()
separate_arguments(cflags UNIX_COMMAND "${cflags}")
file(MAKE_DIRECTORY ${BUILD})
execute_process(COMMAND ${CXX} -std=c++20 ${cflags} ${SOURCE} -o ${BUILD}/consumer COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${BUILD}/consumer OUTPUT_VARIABLE printed OUTPUT_STRIP_TRAILING_WHITESPACE
                COMMAND_ERROR_IS_FATAL ANY)
if(NOT printed STREQUAL version)
  message(FATAL_ERROR "the headers say ${printed}, knossos.pc says ${version}")
endif()
message(STATUS "pkg-config consumer built and ran: ${MODULE} ${version}, ${cflags}")
if(NOT EIGEN_SOURCE)
  return()
endif()
execute_process(COMMAND ${PKG_CONFIG} --cflags knossos eigen3 OUTPUT_VARIABLE eigen_cflags
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
separate_arguments(eigen_cflags UNIX_COMMAND "${eigen_cflags}")
execute_process(COMMAND ${CXX} -std=c++20 ${eigen_cflags} ${EIGEN_SOURCE} -o ${BUILD}/consumer_eigen
                COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${BUILD}/consumer_eigen COMMAND_ERROR_IS_FATAL ANY)
message(STATUS "pkg-config consumer of the Eigen adapter built and ran: ${eigen_cflags}")
