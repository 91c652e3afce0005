# Finds xsimd. Debian's xsimd package exports its target with a link to `xtl`, an
# optional companion library it does not depend on; when no xtl target exists the
# linker would look for a libxtl that is not there. Give it an empty target instead.
if(NOT TARGET xsimd)
  find_package(xsimd 8 REQUIRED)
endif()
if(NOT TARGET xtl)
  find_package(xtl QUIET)
  if(NOT TARGET xtl)
    add_library(xtl INTERFACE IMPORTED)
  endif()
endif()
