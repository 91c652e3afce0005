# The README gives the flags CMakeLists.txt sets (KNOSSOS_GNU_CONSTEXPR_FLAGS,
# KNOSSOS_CLANG_CONSTEXPR_FLAGS), so its compiler lines stay right when they change.
#   cmake -DREADME=<README.md> "-DFLAGS=<flags...>" -P docs_flags.cmake
file(READ ${README} text)
foreach(flag ${FLAGS})
  string(FIND "${text}" "${flag}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "README.md does not give ${flag}, which CMakeLists.txt sets")
  endif()
endforeach()
