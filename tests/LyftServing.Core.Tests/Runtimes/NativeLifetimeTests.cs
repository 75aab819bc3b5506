namespace LyftServing.Tests.Runtimes;

public sealed class NativeLifetimeTests
{
    [Fact]
    public void Dispose_WhileCallsRun_ReleasesAfterTheLastCallInReverseOrder()
    {
        var released = new List<string>();
        var lifetime = new NativeLifetime("Model 'm' version '1'");
        lifetime.Own(new Probe("session", released));
        lifetime.Own(new Probe("binding", released));
        var first = lifetime.Enter();
        var second = lifetime.Enter();

        lifetime.Dispose();
        first.Dispose();

        Assert.Empty(released);
        Assert.True(lifetime.IsDisposed);
        Assert.False(lifetime.TryEnter());
        second.Dispose();
        Assert.Equal(["binding", "session"], released);
    }

    [Fact]
    public void Dispose_NoCallRunning_ReleasesAtOnceAndOnlyOnce()
    {
        var released = new List<string>();
        var lifetime = new NativeLifetime("Model 'm' version '1'");
        lifetime.Own(new Probe("session", released));

        lifetime.Dispose();
        lifetime.Dispose();

        Assert.Equal(["session"], released);
        var error = Assert.Throws<ObjectDisposedException>(() => lifetime.Enter());
        Assert.Contains("Model 'm' version '1' has been unloaded.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnterAndDispose_Concurrently_NeverReleaseUnderARunningCall()
    {
        for (var round = 0; round < 200; round++)
        {
            var probe = new Probe("session", []);
            var lifetime = new NativeLifetime("m");
            lifetime.Own(probe);
            var calls = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                for (var i = 0; i < 200; i++)
                {
                    if (!lifetime.TryEnter())
                    {
                        return;
                    }

                    try
                    {
                        Assert.False(probe.Released, "A running call saw its resource released.");
                    }
                    finally
                    {
                        lifetime.Exit();
                    }
                }
            })).ToList();
            calls.Add(Task.Run(lifetime.Dispose));

            await Task.WhenAll(calls);

            Assert.True(probe.Released);
        }
    }

    private sealed class Probe(string name, List<string> released) : IDisposable
    {
        public bool Released { get; private set; }

        public void Dispose()
        {
            Assert.False(Released, "Released twice.");
            Released = true;
            released.Add(name);
        }
    }
}
