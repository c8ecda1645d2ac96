"""A GCC toolchain for one Debian triple (native or cross), for Bazel 4.2.

Every arch, the native one included, goes through this rule so that flags are the same
everywhere and each arch gets its own bazel-out/<cpu>-<mode> directory.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
)

_COMPILE = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
]
_CXX = [ACTION_NAMES.cpp_compile, ACTION_NAMES.cpp_header_parsing]
_LINK = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _flags(actions, flags, enabled = True, name = None):
    return flag_set(actions = actions, flag_groups = [flag_group(flags = flags)])

def _impl(ctx):
    triple = ctx.attr.triple
    tools = [
        tool_path(name = name, path = "/usr/bin/%s-%s" % (triple, prog))
        for name, prog in [
            ("gcc", "gcc"),
            ("cpp", "cpp"),
            ("ld", "ld"),
            ("ar", "ar"),
            ("nm", "nm"),
            ("objcopy", "objcopy"),
            ("objdump", "objdump"),
            ("strip", "strip"),
            ("gcov", "gcov"),
        ]
    ]
    features = [
        feature(name = "default_compile_flags", enabled = True, flag_sets = [
            _flags(_COMPILE, [
                "-Wall",
                "-Wextra",
                "-Wno-unused-parameter",
                "-Wno-missing-field-initializers",
                "-fno-omit-frame-pointer",
                "-no-canonical-prefixes",
                "-U_FORTIFY_SOURCE",
            ] + ctx.attr.copts),
            _flags(_CXX, ["-std=c++17"]),
        ]),
        feature(name = "default_link_flags", enabled = True, flag_sets = [
            _flags(_LINK, [
                "-no-canonical-prefixes",
                "-Wl,-z,relro,-z,now",
                "-pthread",
                "-lstdc++",
                "-lm",
            ] + ctx.attr.linkopts),
        ]),
        feature(name = "opt", flag_sets = [_flags(_COMPILE, ["-O2", "-DNDEBUG", "-g1"])]),
        feature(name = "fastbuild", flag_sets = [_flags(_COMPILE, ["-O1", "-g1"])]),
        feature(name = "dbg", flag_sets = [_flags(_COMPILE, ["-O0", "-g3"])]),
        feature(name = "supports_pic", enabled = True),
        feature(name = "supports_dynamic_linker", enabled = True),
    ]
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        features = features,
        toolchain_identifier = "gcc-" + ctx.attr.cpu,
        host_system_name = "x86_64-linux-gnu",
        target_system_name = triple,
        target_cpu = ctx.attr.cpu,
        target_libc = "glibc",
        compiler = "gcc",
        abi_version = "gcc",
        abi_libc_version = "glibc",
        tool_paths = tools,
        cxx_builtin_include_directories = [
            "/usr/lib/gcc/",
            "/usr/lib/gcc-cross/",
            "/usr/%s/include" % triple,
            "/usr/include",
        ],
    )

gcc_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "triple": attr.string(mandatory = True),
        "cpu": attr.string(mandatory = True),
        "copts": attr.string_list(),
        "linkopts": attr.string_list(),
    },
    provides = [CcToolchainConfigInfo],
)
