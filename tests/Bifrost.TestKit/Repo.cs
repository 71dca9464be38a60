namespace Bifrost.TestKit;

public static class Repo
{
    /// <summary>The repository root (where Bifrost.sln is), found upwards from the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bifrost.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("repository root (Bifrost.sln) not found");
        }
    }
}
