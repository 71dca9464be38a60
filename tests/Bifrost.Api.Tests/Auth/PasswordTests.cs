using System.Net;
using System.Text;
using Bifrost.Api.Auth;
using Bifrost.TestKit;

namespace Bifrost.Api.Tests.Auth;

public class PasswordTests
{
    [Test]
    public void A_hash_accepts_its_password_and_nothing_else()
    {
        var hash = PasswordHash.Create("correct horse"u8);
        Assert.That(hash.Verify("correct horse"u8), Is.True);
        Assert.That(hash.Verify("correct hors"u8), Is.False);
        Assert.That(hash.Verify("Correct horse"u8), Is.False);
        Assert.That(hash.Verify(""u8), Is.False);
    }

    [Test]
    public void A_stored_hash_round_trips_with_salt_and_iterations()
    {
        // "!" is outside the base64 alphabet, so the check below cannot be failed by a random salt or hash that
        // happens to spell the password (with "pw" that was about 1 run in 70).
        var hash = PasswordHash.Create("pw!"u8, 150_000);
        var text = hash.ToString();
        Assert.That(text, Does.StartWith("$pbkdf2-sha256$150000$"));
        Assert.That(text, Does.Not.Contain("pw!"));
        Assert.That(PasswordHash.TryParse(text, out var parsed, out var error), Is.True, error);
        Assert.That(parsed!.Iterations, Is.EqualTo(150_000));
        Assert.That(parsed.Verify("pw!"u8), Is.True);
    }

    [Test]
    public void The_same_password_gets_a_different_salt_each_time() =>
        Assert.That(PasswordHash.Create("pw"u8).ToString(), Is.Not.EqualTo(PasswordHash.Create("pw"u8).ToString()));

    private static IEnumerable<TestCaseData> BadHashes()
    {
        TestCaseData Case(string text, string error) => new TestCaseData(text, error).SetName($"'{text}' → {error}");
        yield return Case("$2y$10$abcdefghijklmnopqrstuu", "not a $pbkdf2-sha256$ hash");
        yield return Case("$pbkdf2-sha256$1000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==", "iteration count '1000' is not a number of at least 100000");
        yield return Case("$pbkdf2-sha256$200000$c2FsdHNhbHQ=", "expected $pbkdf2-sha256$ITERATIONS$SALT$HASH");
        yield return Case("$pbkdf2-sha256$200000$!!$aGFzaGhhc2hoYXNoaGFzaA==", "salt or hash is not base64");
        yield return Case("$pbkdf2-sha256$200000$c2FsdA==$aGFzaA==", "salt or hash too short");
    }

    [TestCaseSource(nameof(BadHashes))]
    public void Bad_stored_hashes_are_refused_with_the_reason(string text, string error)
    {
        Assert.That(PasswordHash.TryParse(text, out _, out var actual), Is.False);
        Assert.That(actual, Is.EqualTo(error));
    }

    private static IEnumerable<TestCaseData> BadFiles()
    {
        var good = PasswordHash.Create("x"u8).ToString();
        TestCaseData Case(string text, string error, string rule) => new TestCaseData(text, error).SetName(rule);
        yield return Case($"alice:{good}\nalice:{good}\n", "users line 2: user alice appears twice", "a user twice → error naming the line");
        yield return Case("# comment\nbob\n", "users line 2: expected NAME:HASH", "a line without ':' → error naming the line");
        yield return Case("carol:hunter2\n", "users line 1 (user carol): not a $pbkdf2-sha256$ hash",
            "a plain-text password is refused and not echoed");
        yield return Case($"da ve:{good}\n", "users line 1: invalid user name", "a name with a space → error");
    }

    [TestCaseSource(nameof(BadFiles))]
    public void Bad_users_files_are_refused_naming_the_line(string text, string error)
    {
        var ex = Assert.Throws<InvalidDataException>(() => UsersFile.Parse(text, "users"));
        Assert.That(ex!.Message, Is.EqualTo(error));
        Assert.That(ex.Message, Does.Not.Contain("hunter2"));
    }

    [Test]
    public void A_written_file_reads_back_with_comments_and_blank_lines_ignored()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "users");
        UsersFile.Write(file, [new("zed", PasswordHash.Create("z"u8)), new("amy", PasswordHash.Create("a"u8))]);
        File.AppendAllText(file, "\n# a note\n\n");
        var users = UsersFile.Read(file);
        Assert.That(users.Keys, Is.EquivalentTo(new[] { "amy", "zed" }));
        Assert.That(users["amy"].Hash.Verify("a"u8), Is.True);
        if (!OperatingSystem.IsWindows()) Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.ReadAllText(file), Does.Not.Contain("\"a\""));
    }

    [Test]
    public void Throttle_allows_a_burst_of_failures_then_one_per_refill_interval()
    {
        var clock = new ManualClock();
        var throttle = new LoginThrottle(clock, burst: 3, refill: TimeSpan.FromSeconds(10));
        var a = IPAddress.Parse("192.0.2.1");
        var b = IPAddress.Parse("192.0.2.2");
        for (var i = 0; i < 3; i++)
        {
            Assert.That(throttle.MayTry(a, out _), Is.True, $"failure {i + 1} of the burst");
            throttle.Failed(a);
        }
        Assert.That(throttle.MayTry(a, out var wait), Is.False, "the burst is used up");
        Assert.That(wait, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(throttle.MayTry(b, out _), Is.True, "another address has its own bucket");

        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.That(throttle.MayTry(a, out wait), Is.False);
        Assert.That(wait.TotalSeconds, Is.EqualTo(1).Within(1e-9));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(throttle.MayTry(a, out _), Is.True, "one try back after one interval");
        throttle.Failed(a);
        Assert.That(throttle.MayTry(a, out _), Is.False);

        clock.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 3; i++) throttle.Failed(a);
        Assert.That(throttle.MayTry(a, out _), Is.False, "refill stops at the burst size");
    }

    private static IEnumerable<TestCaseData> Routes()
    {
        TestCaseData Case(string path, bool isPublic, bool isAgent, string rule) => new TestCaseData(path, isPublic, isAgent).SetName(rule);
        yield return Case("/", true, false, "/ is public (Ironic acl_public_routes)");
        yield return Case("/v1", true, false, "/v1 is public (Ironic acl_public_routes)");
        yield return Case("/v1/", true, false, "/v1/ is public");
        yield return Case("/v1/nodes", false, false, "/v1/nodes needs a user");
        yield return Case("/v1/nodes/n1/states", false, false, "/v1/nodes/n1/states needs a user");
        yield return Case("/v1x", false, false, "/v1x is not /v1");
        yield return Case("/v1/lookup", false, true, "/v1/lookup is an agent route (agent token)");
        yield return Case("/v1/heartbeat/1be26c0b-03f2-4d2e-ae87-c02d7f33c123", false, true, "/v1/heartbeat/ID is an agent route");
        yield return Case("/v1/lookupx", false, false, "/v1/lookupx is not /v1/lookup");
        yield return Case("/metrics", true, false, "/metrics is public (a scraper carries no credentials)");
        yield return Case("/healthz", true, false, "/healthz is public (a probe)");
        yield return Case("/readyz", true, false, "/readyz is public (a probe)");
        yield return Case("/metricsx", false, false, "/metricsx is not /metrics");
    }

    [TestCaseSource(nameof(Routes))]
    public void Route_classes(string path, bool isPublic, bool isAgent)
    {
        Assert.That(AuthRoutes.IsPublic(path), Is.EqualTo(isPublic));
        Assert.That(AuthRoutes.IsAgent(path), Is.EqualTo(isAgent));
    }

    [Test]
    public void Names_with_colon_space_or_control_characters_are_invalid()
    {
        Assert.That(UsersFile.IsValidName("ops-admin_1"), Is.True);
        Assert.That(UsersFile.IsValidName("a:b"), Is.False);
        Assert.That(UsersFile.IsValidName("a b"), Is.False);
        Assert.That(UsersFile.IsValidName("a\nb"), Is.False);
        Assert.That(UsersFile.IsValidName(""), Is.False);
        Assert.That(UsersFile.IsValidName(new string('x', 65)), Is.False);
        Assert.That(Encoding.UTF8.GetByteCount("é"), Is.EqualTo(2)); // non-ASCII names are allowed, as UTF-8 on the wire
        Assert.That(UsersFile.IsValidName("josé"), Is.True);
    }
}
