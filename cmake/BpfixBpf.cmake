# SPDX-License-Identifier: GPL-2.0-only
# bpfix_add_bpf_skeleton(NAME SOURCE): compile SOURCE with clang -target bpf and turn the object
# into a libbpf skeleton header NAME.skel.h. Header dependencies come from clang's depfile, not
# from a hand-written list. Produces the INTERFACE target NAME_skel carrying the include path.
# The BPF side uses Debian's UAPI headers (linux-libc-dev), never the build host's kernel.

set(BPFIX_BPF_WARNINGS -Wall -Wextra -Wshadow -Wimplicit-fallthrough)
if(BPFIX_WERROR)
  list(APPEND BPFIX_BPF_WARNINGS -Werror)
endif()

function(bpfix_add_bpf_skeleton name source)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  set(dep ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.d)
  set(skel ${CMAKE_CURRENT_BINARY_DIR}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPFIX_CLANG} -target bpf -O2 -g -mcpu=v3 ${BPFIX_BPF_WARNINGS}
            -I${PROJECT_SOURCE_DIR}/common -I${PROJECT_SOURCE_DIR}/bpf
            -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}
            -MD -MF ${dep} -c ${CMAKE_CURRENT_SOURCE_DIR}/${source} -o ${obj}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${source}
    DEPFILE ${dep}
    COMMENT "BPF ${source}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFIX_BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}
    DEPENDS ${obj}
    COMMENT "skeleton ${name}.skel.h")
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF PkgConfig::LIBELF PkgConfig::ZLIB)
endfunction()
