# knossos_translate(TARGET tgt SOURCES a.py b.jl c.fs [NAMESPACE ns])
#
# Translates scalar functions written in Python, Julia or F# into headers of knossos
# lambdas at build time (ks-translate), regenerates them when a source changes, and
# puts them on tgt's include path: `#include "a.hpp"`. Without NAMESPACE each header
# gets a namespace named after its file (a.py -> namespace a). Docs: docs/translate.md
function(knossos_translate)
  cmake_parse_arguments(KT "" "TARGET;NAMESPACE" "SOURCES" ${ARGN})
  if(NOT KT_TARGET OR NOT KT_SOURCES)
    message(FATAL_ERROR "knossos_translate: give TARGET <target> and SOURCES <files...>")
  endif()
  if(KT_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "knossos_translate: unexpected arguments: ${KT_UNPARSED_ARGUMENTS}")
  endif()
  if(TARGET knossos::ks-translate)
    set(tool knossos::ks-translate)
  elseif(TARGET ks-translate)
    set(tool ks-translate)
  else()
    message(FATAL_ERROR "knossos_translate: ks-translate is not available; build knossos with "
                        "KNOSSOS_BUILD_TOOLS=ON (or install it)")
  endif()
  set(outdir ${CMAKE_CURRENT_BINARY_DIR}/knossos_translated/${KT_TARGET})
  set(ns_args)
  if(KT_NAMESPACE)
    set(ns_args --namespace ${KT_NAMESPACE})
  endif()
  set(outputs)
  foreach(src IN LISTS KT_SOURCES)
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(stem ${src} NAME_WE)
    set(out ${outdir}/${stem}.hpp)
    if(out IN_LIST outputs)
      message(FATAL_ERROR "knossos_translate: two sources would both generate ${stem}.hpp")
    endif()
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
      COMMAND ${tool} ${abs} -o ${out} ${ns_args}
      DEPENDS ${abs} ${tool}
      COMMENT "ks-translate ${src}"
      VERBATIM)
    list(APPEND outputs ${out})
  endforeach()
  target_sources(${KT_TARGET} PRIVATE ${outputs})
  target_include_directories(${KT_TARGET} PRIVATE ${outdir})
endfunction()
