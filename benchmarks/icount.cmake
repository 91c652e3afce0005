# bench_icount: exact instruction counts of every benchmark kernel, knossos against
# hand-written xsimd (benchmarks/bench_icount.cpp). Included from benchmarks/ (a
# benchmark) and from tests/ (the ctest bench.icount), whichever comes first defines it.
include_guard(GLOBAL)
add_executable(bench_icount ${CMAKE_CURRENT_LIST_DIR}/bench_icount.cpp)
target_link_libraries(bench_icount PRIVATE knossos::knossos knossos_warnings)
target_compile_options(bench_icount PRIVATE -O3)
