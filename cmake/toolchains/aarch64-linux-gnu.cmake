# Cross-compiling knossos's tests for 64-bit ARM on Debian: g++-aarch64-linux-gnu,
# with the tests run under qemu-user (qemu-aarch64) when it is installed.
#   cmake --preset aarch64          (or -DCMAKE_TOOLCHAIN_FILE=this file)
# Eigen, xsimd and doctest are header-only and arch-independent, so the
# host's copies in /usr/include serve. They are searched after the cross compiler's
# own directories (-idirafter), so the C and C++ library headers stay the aarch64
# ones; the compiler then reports /usr/include as one of its own directories, and
# CMake does not put it back in front with -isystem.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# -Wno-psabi: g++ notes that std::pair of NEON registers is passed differently
# since GCC 10.1, an ABI change that does not concern a header-only library.
set(CMAKE_CXX_FLAGS_INIT "-idirafter /usr/include -Wno-psabi")

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
# Debian installs the package configs of xsimd and Eigen in the host's multiarch
# directory; for header-only packages they fit any target.
list(APPEND CMAKE_PREFIX_PATH /usr/lib/${CMAKE_HOST_SYSTEM_PROCESSOR}-linux-gnu/cmake)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

find_program(KNOSSOS_QEMU_AARCH64 qemu-aarch64)
if(KNOSSOS_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${KNOSSOS_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()

# Debian's libtorch is built for the host only: never take it for an aarch64 build.
set(CMAKE_DISABLE_FIND_PACKAGE_Torch ON)
