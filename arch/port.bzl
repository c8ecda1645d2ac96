"""One macro describes every CPU port: its library and the test proving it."""

def arch_port(name, srcs, hdrs = ["arch_cpu.h"], compatible_with = [], extra_hdrs = []):
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
