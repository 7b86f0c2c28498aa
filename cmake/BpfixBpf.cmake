# SPDX-License-Identifier: GPL-2.0-only
# bpfix_add_bpf_skeleton(NAME SOURCE): compile SOURCE with clang -target bpf and turn the object
# into a libbpf skeleton header NAME.skel.h. Header dependencies come from clang's depfile, not
# from a hand-written list. Produces the INTERFACE target NAME_skel carrying the include path.
# Kernel types come from the pinned, committed bpf/vmlinux/<arch>/vmlinux.h, never from the build
# host's kernel; `cmake --build build --target vmlinux-refresh` regenerates it from this host's
# BTF (by hand only, then review and commit).

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|amd64|AMD64)$")
  set(BPFIX_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(BPFIX_BPF_ARCH arm64)
else()
  set(BPFIX_BPF_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()
set(BPFIX_VMLINUX_DIR ${PROJECT_SOURCE_DIR}/bpf/vmlinux/${BPFIX_BPF_ARCH})
if(NOT EXISTS ${BPFIX_VMLINUX_DIR}/vmlinux.h)
  message(FATAL_ERROR "no pinned vmlinux.h for ${BPFIX_BPF_ARCH} in ${BPFIX_VMLINUX_DIR}: create "
                      "it once with 'bpftool btf dump file /sys/kernel/btf/vmlinux format c' on "
                      "such a machine and commit it")
endif()
add_custom_target(vmlinux-refresh
  COMMAND ${CMAKE_COMMAND} -E make_directory ${BPFIX_VMLINUX_DIR}
  COMMAND ${BPFIX_BPFTOOL} btf dump file /sys/kernel/btf/vmlinux format c > ${BPFIX_VMLINUX_DIR}/vmlinux.h
  COMMENT "regenerating ${BPFIX_VMLINUX_DIR}/vmlinux.h from this host's kernel BTF"
  VERBATIM)

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
    COMMAND ${BPFIX_CLANG} -target bpf -O2 -g -mcpu=v3 -D__TARGET_ARCH_${BPFIX_BPF_ARCH}
            ${BPFIX_BPF_WARNINGS} -I${PROJECT_SOURCE_DIR}/common -I${PROJECT_SOURCE_DIR}/bpf
            -I${BPFIX_VMLINUX_DIR}
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
