using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Bifrost.Servers.Tftp;

/// <summary>
/// Linux epoll(7) for one event loop: file descriptors registered for readability with a 64-bit tag each, plus an
/// eventfd that other threads use to wake the loop. Level-triggered, so a reader that stops early is told again.
/// </summary>
/// <remarks>
/// .NET has no public epoll API: its own socket engine wakes an epoll thread and then a thread-pool worker per
/// completed receive, two wake-ups per ACK, which is the cost this loop exists to avoid. Not thread-safe except
/// <see cref="Wake"/>.
/// </remarks>
internal sealed class Epoll : IDisposable
{
    private const int EpollCloexec = 0x80000;
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const int Eintr = 4;

    /// <summary>The tag <see cref="Wait"/> reports for a <see cref="Wake"/>.</summary>
    public const ulong WakeTag = ulong.MaxValue;

    // struct epoll_event is packed on x86-64 (12 bytes, data at offset 4) and naturally aligned elsewhere (16, at 8).
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly byte[] _events;
    private readonly byte[] _control = new byte[16];
    private readonly byte[] _counter = new byte[8];

    /// <summary>The eventfd increment: 1 as a native-endian 64-bit integer (only ever read).</summary>
    private static readonly byte[] One = BitConverter.GetBytes(1UL);
    private bool _disposed;

    public Epoll(int maxEventsPerWait)
    {
        _epoll = epoll_create1(EpollCloexec);
        if (_epoll < 0) throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_create1 failed");
        _wake = eventfd(0, EfdCloexec | EfdNonblock);
        if (_wake < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            close(_epoll);
            throw new Win32Exception(error, "eventfd failed");
        }
        _events = new byte[maxEventsPerWait * EventSize];
        Add(_wake, WakeTag);
    }

    /// <summary>Reports <paramref name="fd"/> as <paramref name="tag"/> whenever it is readable.</summary>
    public void Add(int fd, ulong tag)
    {
        BitConverter.TryWriteBytes(_control, EpollIn); // native byte order, like the kernel's struct
        BitConverter.TryWriteBytes(_control.AsSpan(DataOffset), tag);
        if (epoll_ctl(_epoll, EpollCtlAdd, fd, _control) < 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_ctl(ADD) failed");
    }

    /// <summary>Stops watching <paramref name="fd"/> (before it is closed; closing alone also ends the watch).</summary>
    public void Remove(int fd) => epoll_ctl(_epoll, EpollCtlDel, fd, _control);

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (-1: no limit) and writes the tags of the ready descriptors into
    /// <paramref name="tags"/>; returns how many. A <see cref="Wake"/> is consumed here and reported as
    /// <see cref="WakeTag"/>.
    /// </summary>
    public int Wait(Span<ulong> tags, int timeoutMs)
    {
        int n;
        do
        {
            n = epoll_wait(_epoll, _events, Math.Min(tags.Length, _events.Length / EventSize), timeoutMs);
        }
        while (n < 0 && Marshal.GetLastPInvokeError() == Eintr);
        if (n < 0) throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_wait failed");
        for (var i = 0; i < n; i++)
        {
            tags[i] = BitConverter.ToUInt64(_events, i * EventSize + DataOffset);
            if (tags[i] == WakeTag) read(_wake, _counter, 8);
        }
        return n;
    }

    /// <summary>Makes the current or next <see cref="Wait"/> return (any thread).</summary>
    public void Wake()
    {
        if (Volatile.Read(ref _disposed)) return;
        write(_wake, One, 8);
    }

    public void Dispose()
    {
        if (_disposed) return;
        Volatile.Write(ref _disposed, true);
        close(_wake);
        close(_epoll);
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int epoll_ctl(int epfd, int op, int fd, byte[] ev);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int epoll_wait(int epfd, byte[] events, int maxevents, int timeout);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int eventfd(uint initval, int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint read(int fd, byte[] buf, nint count);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint write(int fd, byte[] buf, nint count);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int close(int fd);
}
