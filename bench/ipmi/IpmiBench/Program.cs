using System.Diagnostics;
using Bifrost.Bmc.Ipmi;
using Bifrost.Domain.Drivers.Ipmi;

// usage: IpmiBench SECONDS USER PASSWORD HOST:PORT...
// Opens one session per BMC (not timed), then asks every BMC for its power state, all BMCs at once, round after
// round, for SECONDS; prints queries/s, rounds, sessions opened, errors and peak RSS. Default client settings
// (MinCommandInterval 20 ms per BMC, MaxConcurrentSessions 64), as `bifrost serve` runs them.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: IpmiBench SECONDS USER PASSWORD HOST:PORT...");
    return 2;
}
var seconds = double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var targets = args[3..].Select((hp, i) =>
{
    var colon = hp.LastIndexOf(':');
    return new IpmiTarget(Guid.NewGuid(), $"bench-{i}", new IpmiDriverInfo(hp[..colon], int.Parse(hp[(colon + 1)..],
        System.Globalization.CultureInfo.InvariantCulture), args[1], args[2], null, IpmiPrivilege.Administrator));
}).ToArray();

await using var client = new IpmiClient(new IpmiClientOptions(), TimeProvider.System);
var rssBefore = Process.GetCurrentProcess().WorkingSet64;
await Task.WhenAll(targets.Select(t => client.VerifyAsync(t, default)));

var queries = 0L;
var errors = 0L;
var rounds = 0;
var clock = Stopwatch.StartNew();
while (clock.Elapsed.TotalSeconds < seconds)
{
    await Task.WhenAll(targets.Select(async t =>
    {
        try
        {
            await client.GetPowerOnAsync(t, default);
            Interlocked.Increment(ref queries);
        }
        catch (IpmiException)
        {
            Interlocked.Increment(ref errors);
        }
    }));
    rounds++;
}
var elapsed = clock.Elapsed.TotalSeconds;
Console.WriteLine($"bifrost queries={queries} seconds={elapsed:0.00} qps={queries / elapsed:0} rounds={rounds} " +
                  $"sessions={client.SessionsOpened} errors={errors} rss_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} " +
                  $"rss_before_mb={rssBefore / 1048576.0:0}");
return errors == 0 ? 0 : 1;
