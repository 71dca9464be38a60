using Bifrost.Protocols.Tftp;
using Bifrost.Servers.Tftp;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Tftp;

/// <summary>No name leaves the root: dot-dot, absolute paths, symlinks out (file or directory), link loops.</summary>
public class TftpRootFilesTests
{
    private TempDirectory _dir = null!;
    private string _root = null!;
    private TftpRootFiles _files = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory("bifrost-tftp-root");
        _root = Path.Combine(_dir.Path, "root");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        Directory.CreateDirectory(Path.Combine(_dir.Path, "outside"));
        File.WriteAllText(Path.Combine(_root, "ipxe.efi"), "efi");
        File.WriteAllText(Path.Combine(_root, "sub", "inner.bin"), "inner");
        File.WriteAllText(Path.Combine(_dir.Path, "outside", "secret"), "secret");
        File.WriteAllText(Path.Combine(_dir.Path, "rootsibling"), "sibling");
        File.CreateSymbolicLink(Path.Combine(_root, "to-secret"), Path.Combine(_dir.Path, "outside", "secret"));
        File.CreateSymbolicLink(Path.Combine(_root, "relative-out"), "../outside/secret");
        Directory.CreateSymbolicLink(Path.Combine(_root, "outdir"), Path.Combine(_dir.Path, "outside"));
        File.CreateSymbolicLink(Path.Combine(_root, "alias.efi"), "ipxe.efi");
        Directory.CreateSymbolicLink(Path.Combine(_root, "subalias"), "sub");
        // A link inside the root whose target goes through another link that leaves it.
        File.CreateSymbolicLink(Path.Combine(_root, "sub", "via-outdir"), "../outdir/secret");
        File.CreateSymbolicLink(Path.Combine(_root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(_root, "loop2"), "loop1");
        // A root named like the prefix of a sibling must not admit the sibling ("root" vs "rootsibling").
        _files = new TftpRootFiles(_root);
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, TftpErrorCode? error, string rule) => new TestCaseData(name, error).SetName(rule);
        yield return Case("ipxe.efi", null, "a file in the root is served");
        yield return Case("sub/inner.bin", null, "a file in a subdirectory is served");
        yield return Case("sub\\inner.bin", null, "backslashes are separators");
        yield return Case("./sub//inner.bin", null, "dot and empty segments are harmless");
        yield return Case("alias.efi", null, "a symlink to a file inside the root is served");
        yield return Case("subalias/inner.bin", null, "a symlinked directory inside the root is served");
        yield return Case("missing.efi", TftpErrorCode.FileNotFound, "a missing file is error 1");
        yield return Case("sub", TftpErrorCode.FileNotFound, "a directory is not a file: error 1");
        yield return Case("nodir/x.efi", TftpErrorCode.FileNotFound, "a missing directory on the way is error 1");
        yield return Case("ipxe.efi/x", TftpErrorCode.FileNotFound, "a file used as a directory is error 1");
        yield return Case("../outside/secret", TftpErrorCode.AccessViolation, "'..' is refused");
        yield return Case("sub/../../rootsibling", TftpErrorCode.AccessViolation, "'..' deeper in the path is refused");
        yield return Case("..\\outside\\secret", TftpErrorCode.AccessViolation, "'..' with backslashes is refused");
        yield return Case("/etc/passwd", TftpErrorCode.AccessViolation, "an absolute path is refused");
        yield return Case("\\etc\\passwd", TftpErrorCode.AccessViolation, "an absolute path with backslashes is refused");
        yield return Case("to-secret", TftpErrorCode.AccessViolation, "a symlink to a file outside is refused");
        yield return Case("relative-out", TftpErrorCode.AccessViolation, "a relative symlink leading outside is refused");
        yield return Case("outdir/secret", TftpErrorCode.AccessViolation, "a symlinked directory outside is refused");
        yield return Case("sub/via-outdir", TftpErrorCode.AccessViolation, "a link through another link outside is refused");
        yield return Case("loop1", TftpErrorCode.AccessViolation, "a symlink loop is refused");
    }

    [TestCaseSource(nameof(Cases))]
    public void Lookup(string name, TftpErrorCode? error)
    {
        var lookup = _files.Find(name);
        if (error is null)
        {
            Assert.That(lookup.File, Is.Not.Null, lookup.Message);
            Assert.That(lookup.File!.Path, Does.StartWith(_root + "/"));
        }
        else
        {
            Assert.That(lookup.File, Is.Null, $"{name} resolved to {lookup.File?.Path}");
            Assert.That(lookup.Error, Is.EqualTo(error), lookup.Message);
        }
    }

    [Test]
    public void A_root_that_is_itself_a_symlink_still_serves_its_files()
    {
        var link = Path.Combine(_dir.Path, "rootlink");
        Directory.CreateSymbolicLink(link, _root);
        var lookup = new TftpRootFiles(link).Find("ipxe.efi");
        Assert.That(lookup.File?.Length, Is.EqualTo(3), lookup.Message);
    }

    [Test]
    public void A_missing_root_is_file_not_found()
    {
        var lookup = new TftpRootFiles(Path.Combine(_dir.Path, "nope")).Find("ipxe.efi");
        Assert.That(lookup.Error, Is.EqualTo(TftpErrorCode.FileNotFound));
    }
}
