"""One macro describes every CPU port: its library and the test proving it."""

def arch_port(name, srcs, hdrs = ["arch_cpu.h"], compatible_with = [], extra_hdrs = [],
              freestanding_srcs = []):
    # What a program without libc (the restorer) needs from this CPU beyond the port,
    # linked whole so that libgcc's helpers find it.
    native.cc_library(
        name = "freestanding",
        srcs = freestanding_srcs,
        deps = ["//arch:interface", ":port"],
        alwayslink = True,
        visibility = ["//arch:__pkg__"],
        target_compatible_with = compatible_with,
    )
    native.cc_library(
        name = "port",
        srcs = srcs,
        hdrs = hdrs + extra_hdrs,
        includes = ["."],
        deps = ["//arch:interface"],
        visibility = ["//arch:__pkg__"],
        target_compatible_with = compatible_with,
    )
    native.cc_test(
        name = "arch_test",
        size = "small",
        srcs = ["//arch:arch_test.cc"],
        deps = [
            ":port",
            "//arch:interface",
            "@com_google_googletest//:gtest_main",
        ],
        target_compatible_with = compatible_with,
    )
