namespace Bifrost.TestKit;

/// <summary>A fresh directory under the system temp path, removed (best effort) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "bifrost-test")
    {
        // A random suffix, not a counter: test runs in parallel processes share the temp directory.
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Something still holds a file (a process under test shutting down); a leftover temp dir is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
