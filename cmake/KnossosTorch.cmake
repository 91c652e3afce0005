# libtorch, for our targets that test or benchmark <knossos/torch.hpp> (never for the
# library itself): KNOSSOS_TORCH says whether they are built. Debian's libtorch 1.13
# headers do not compile as C++20 under clang 14 (libstdc++'s std::vector of the then
# incomplete c10::IValue), and knossos needs C++20: with that pair they are left out.
find_package(Torch QUIET PATHS /usr/lib/x86_64-linux-gnu/cmake/Torch /usr/share/cmake/Torch)
set(KNOSSOS_TORCH ${Torch_FOUND})
if(Torch_FOUND AND CMAKE_CXX_COMPILER_ID MATCHES "Clang" AND Torch_VERSION VERSION_LESS 2)
  set(KNOSSOS_TORCH OFF)
  message(STATUS "knossos: libtorch ${Torch_VERSION}'s headers do not compile as C++20 under clang: "
                 "the knossos/torch.hpp tests are left out")
endif()
