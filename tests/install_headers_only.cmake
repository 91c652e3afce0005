# `cmake --install` straight after configuring, nothing built: the headers, the
# package config, the .pc files and LICENSE install; ks-translate (not built) does not.
#   cmake -DSOURCE=<knossos> -DBUILD=<dir> -DARGS=<configure args> -P install_headers_only.cmake
file(REMOVE_RECURSE ${BUILD})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${BUILD} ${ARGS} -DKNOSSOS_BUILD_TESTS=OFF
                        -DKNOSSOS_BUILD_EXAMPLES=OFF -DKNOSSOS_BUILD_BENCHMARKS=OFF -DKNOSSOS_BUILD_TOOLS=ON
                OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${BUILD}/prefix OUTPUT_QUIET
                COMMAND_ERROR_IS_FATAL ANY)
foreach(file include/knossos/knossos.hpp include/knossos/vmap.hpp share/cmake/knossos/knossosConfig.cmake
             share/pkgconfig/knossos.pc share/pkgconfig/knossos-gcc.pc share/pkgconfig/knossos-clang.pc
             share/doc/knossos/LICENSE share/doc/knossos/CHANGELOG.md)
  if(NOT EXISTS ${BUILD}/prefix/${file})
    message(FATAL_ERROR "not installed: ${file}")
  endif()
endforeach()
if(EXISTS ${BUILD}/prefix/bin/ks-translate)
  message(FATAL_ERROR "ks-translate was never built, yet it is installed")
endif()
# The installed package must load without the tool.
file(WRITE ${BUILD}/consumer/CMakeLists.txt
     "cmake_minimum_required(VERSION 3.20)\nproject(c LANGUAGES CXX)\nfind_package(knossos REQUIRED)\n"
     "if(TARGET knossos::ks-translate)\n  message(FATAL_ERROR \"no ks-translate was installed\")\nendif()\n")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${BUILD}/consumer -B ${BUILD}/consumer/build ${ARGS}
                        -DCMAKE_PREFIX_PATH=${BUILD}/prefix OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
message(STATUS "headers installed without building anything")
