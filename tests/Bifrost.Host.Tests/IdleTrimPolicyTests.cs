using Bifrost.Host.Memory;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

public class IdleTrimPolicyTests
{
    private const long MiB = 1L << 20;

    /// <summary>Samples of total allocated MiB, one per interval, and the expected answer to each.</summary>
    private static IEnumerable<TestCaseData> Sequences()
    {
        yield return new TestCaseData(new long[] { 0, 0, 0, 0 }, new[] { false, false, false, false })
            .SetName("an idle daemon that allocates nothing is never trimmed");
        yield return new TestCaseData(new long[] { 100, 101, 102 }, new[] { false, false, false })
            .SetName("start-up allocations before the first sample are not a burst to give back");
        yield return new TestCaseData(new long[] { 0, 50, 51, 52 }, new[] { false, false, true, false })
            .SetName("a burst is trimmed once, in the first quiet interval after it");
        yield return new TestCaseData(new long[] { 0, 50, 100, 150, 151 }, new[] { false, false, false, false, true })
            .SetName("no trim while busy (4 MiB or more per interval), only after the load stops");
        yield return new TestCaseData(new long[] { 0, 3, 6, 9, 12, 15, 18 }, new[] { false, false, false, false, false, false, true })
            .SetName("quiet intervals that add up to 16 MiB since the last trim are trimmed");
        yield return new TestCaseData(new long[] { 0, 50, 51, 60, 61, 70, 71 }, new[] { false, false, true, false, false, false, true })
            .SetName("after a trim the next one waits for another 16 MiB");
        yield return new TestCaseData(new long[] { 0, 10, 11 }, new[] { false, false, false })
            .SetName("a burst smaller than 16 MiB is not worth a full GC");
    }

    [TestCaseSource(nameof(Sequences))]
    public void Trims_only_quiet_processes_after_enough_allocation(long[] allocatedMib, bool[] expected)
    {
        var policy = IdleTrimPolicy.CreateDefault();
        var answers = allocatedMib.Select(a => policy.ShouldTrim(a * MiB)).ToArray();
        Assert.That(answers, Is.EqualTo(expected));
    }

    [Test]
    public void Default_thresholds_are_the_documented_ones()
    {
        var policy = IdleTrimPolicy.CreateDefault();
        Assert.That(policy.Interval, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(policy.BusyBytes, Is.EqualTo(4 * MiB));
        Assert.That(policy.MinAllocatedSinceTrim, Is.EqualTo(16 * MiB));
    }
}
