# bench_icount: exact instruction counts of every benchmark kernel, knossos against
# hand-written xsimd (benchmarks/bench_icount.cpp), and bench_math_icount: of the SIMD
# erf, erfc and tanh against Eigen's and xsimd's. Included from benchmarks/ (a
# benchmark) and from tests/ (the ctest bench.icount), whichever comes first defines it.
include_guard(GLOBAL)
add_executable(bench_icount ${CMAKE_CURRENT_LIST_DIR}/bench_icount.cpp)
target_link_libraries(bench_icount PRIVATE knossos::eigen knossos_warnings)  # kernels.hpp has Eigen baselines
target_compile_options(bench_icount PRIVATE -O3)
# bench_math_icount: the SIMD erf, erfc and tanh against Eigen's and xsimd's.
add_executable(bench_math_icount ${CMAKE_CURRENT_LIST_DIR}/bench_math_icount.cpp)
target_link_libraries(bench_math_icount PRIVATE knossos::eigen knossos_warnings)
target_compile_options(bench_math_icount PRIVATE -O3)
