using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.HttpBoot;

public class SafePathTests
{
    [Test]
    public void Resolves_files_inside_and_refuses_everything_else()
    {
        using var tmp = new TempDirectory("safepath");
        var root = Path.Combine(tmp.Path, "root");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        File.WriteAllText(Path.Combine(root, "sub", "a"), "a");
        File.WriteAllText(Path.Combine(tmp.Path, "secret"), "s");
        File.CreateSymbolicLink(Path.Combine(root, "in"), "sub/a");
        File.CreateSymbolicLink(Path.Combine(root, "out"), "../secret");
        Directory.CreateSymbolicLink(Path.Combine(root, "outdir"), tmp.Path);
        File.CreateSymbolicLink(Path.Combine(root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(root, "loop2"), "loop1");

        Assert.Multiple(() =>
        {
            Assert.That(SafePath.ResolveFile(root, "sub/a"), Is.EqualTo(Path.Combine(root, "sub", "a")));
            Assert.That(SafePath.ResolveFile(root, "in"), Is.EqualTo(Path.Combine(root, "sub", "a")));
            Assert.That(SafePath.ResolveFile(root, "out"), Is.Null);
            Assert.That(SafePath.ResolveFile(root, "outdir/secret"), Is.Null);
            Assert.That(SafePath.ResolveFile(root, "../secret"), Is.Null);
            Assert.That(SafePath.ResolveFile(root, "sub/../../secret"), Is.Null);
            Assert.That(SafePath.ResolveFile(root, "/etc/passwd"), Is.Null.Or.Not.EqualTo("/etc/passwd"));
            Assert.That(SafePath.ResolveFile(root, "sub"), Is.Null);
            Assert.That(SafePath.ResolveFile(root, "loop1"), Is.Null);
            Assert.That(SafePath.ResolveFile(root, "sub/a\0"), Is.Null);
            Assert.That(SafePath.ResolveFile(root, ""), Is.Null);
            Assert.That(SafePath.ResolveFile(root, "nodir/a"), Is.Null);
            Assert.That(SafePath.ResolveFile(root, "sub/a/b"), Is.Null);
        });
    }

    [Test]
    public void RealPath_keeps_missing_components_and_walks_from_a_known_real_prefix()
    {
        using var tmp = new TempDirectory("safepath");
        var real = Path.Combine(tmp.Path, "real");
        Directory.CreateDirectory(Path.Combine(real, "sub"));
        File.CreateSymbolicLink(Path.Combine(real, "up"), "..");
        Directory.CreateSymbolicLink(Path.Combine(tmp.Path, "link"), real);
        var realTmp = SafePath.RealPath(tmp.Path)!;

        Assert.Multiple(() =>
        {
            Assert.That(SafePath.RealPath(Path.Combine(tmp.Path, "link", "sub", "missing", "f")),
                Is.EqualTo(Path.Combine(realTmp, "real", "sub", "missing", "f")));
            Assert.That(SafePath.RealPath(Path.Combine(realTmp, "real", "sub"), Path.Combine(realTmp, "real")),
                Is.EqualTo(Path.Combine(realTmp, "real", "sub")));
            // A link under the prefix that leads above it is still followed out of it.
            Assert.That(SafePath.RealPath(Path.Combine(realTmp, "real", "up", "link"), Path.Combine(realTmp, "real")),
                Is.EqualTo(Path.Combine(realTmp, "real")));
        });
    }

    [Test]
    public void A_root_reached_through_a_symlink_still_serves_its_files()
    {
        using var tmp = new TempDirectory("safepath");
        var real = Path.Combine(tmp.Path, "real");
        Directory.CreateDirectory(real);
        File.WriteAllText(Path.Combine(real, "f"), "f");
        var link = Path.Combine(tmp.Path, "link");
        Directory.CreateSymbolicLink(link, real);
        Assert.That(SafePath.ResolveFile(link, "f"), Is.EqualTo(Path.Combine(real, "f")));
    }
}
