using NUnit.Framework;

namespace Bifrost.TestKit;

/// <summary>
/// Real third-party peers the tests drive. A missing peer skips the test with the reason when run by hand as a normal
/// user; as root or in CI (where tests/run.sh installs them) it is a failure, so CI never passes by skipping.
/// </summary>
public static class Peers
{
    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";

    public static bool InCi => Environment.GetEnvironmentVariable("CI") is "true" or "1";

    /// <summary>Full path of <paramref name="command"/> on PATH, or null.</summary>
    public static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);

    public static string Require(string command, string debianPackage)
    {
        if (Which(command) is { } path) return path;
        var message = $"{command} is not installed (Debian package {debianPackage}; tests/run.sh installs it when run as root)";
        if (IsRoot || InCi) Assert.Fail(message);
        Assert.Ignore(message);
        return null!;
    }
}
