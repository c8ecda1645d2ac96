"""Expose headers installed by Debian packages as a Bazel repository, offline.

Only the named directories and files are linked in, so a cross compile never sees the
host's /usr/include as a whole. Libraries are found by the compiler's own multiarch
search path (/usr/lib/<triple>), which is what makes one BUILD file serve every arch.
"""

def _debian_headers_impl(ctx):
    for name, target in ctx.attr.dirs.items() + ctx.attr.files.items():
        if not ctx.path(target).exists:
            fail("%s is missing: run ci/setup (it installs the Debian -dev packages)" % target)
        ctx.symlink(target, name)
    ctx.symlink(ctx.attr.build_file, "BUILD.bazel")
    ctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % ctx.name)

debian_headers = repository_rule(
    implementation = _debian_headers_impl,
    attrs = {
        "dirs": attr.string_dict(),
        "files": attr.string_dict(),
        "build_file": attr.label(mandatory = True),
    },
    local = True,
)
