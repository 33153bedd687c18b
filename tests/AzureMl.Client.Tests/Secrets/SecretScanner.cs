using System.Collections.Concurrent;
using System.Diagnostics;
using AzureMl.Client.Tests.Gateway;

namespace AzureMl.Client.Tests.Secrets;

/// <summary>Collects every text a run produced (logs, exceptions, spans) and checks that no secret is in it.</summary>
internal static class SecretScanner
{
    public const string SasSignature = "SASsig0S3CRET0abcdef%3D";

    /// <summary>A Microsoft Entra access token an online endpoint call carries.</summary>
    public const string EntraToken = "eyJ0eXAiOiJKV1QiS3CRET.entra.token0123";

    public static readonly string[] All = [TestIds.ApiKey, SubscriptionKeyHandlerTests.Primary, SubscriptionKeyHandlerTests.Secondary, SasSignature, TestIds.StorageAccountKey, TestIds.EndpointPrimaryKey, TestIds.EndpointSecondaryKey, EntraToken];

    private static readonly ConcurrentQueue<Activity> Spans = new();

    /// <summary>Listens to every span the process emits (ours and HttpClient's), for the leak check.</summary>
    private static readonly ActivityListener Listener = Start();

    public static void AssertNoSecrets(FakeService host, Exception? error, params object?[] others)
    {
        var texts = new List<string>();
        foreach (var r in host.Logs.GetSnapshot())
        {
            texts.Add(r.Message);
            texts.Add(r.ToString());
            if (r.Exception is not null)
            {
                texts.Add(r.Exception.ToString());
            }

            if (r.StructuredState is { } state)
            {
                texts.AddRange(state.Select(kv => kv.Key + "=" + kv.Value));
            }

            texts.AddRange(r.Scopes.Select(s => s?.ToString() ?? string.Empty));
        }

        for (var e = error; e is not null; e = e.InnerException)
        {
            texts.Add(e.Message);
            texts.Add(e.ToString());
            if (e is AzureMlException ae)
            {
                texts.Add(ae.ServerMessage ?? string.Empty);
                texts.AddRange(ae.Details.Select(d => d.ToString()));
            }
        }

        texts.AddRange(others.Select(o => o?.ToString() ?? string.Empty));
        foreach (var span in Spans)
        {
            texts.Add(span.DisplayName);
            texts.Add(span.StatusDescription ?? string.Empty);
            texts.AddRange(span.TagObjects.Select(t => t.Key + "=" + t.Value));
            texts.AddRange(span.Events.Select(ev => ev.Name + string.Join(",", ev.Tags.Select(t => t.Key + "=" + t.Value))));
        }

        texts.Should().NotBeEmpty();
        foreach (var secret in All)
        {
            texts.Where(t => t.Contains(secret, StringComparison.Ordinal)).Should().BeEmpty("secret {0} must not leak", secret[..6] + "…");
        }
    }

    private static ActivityListener Start()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                Spans.Enqueue(a);
                while (Spans.Count > 5000 && Spans.TryDequeue(out _))
                {
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    public static void EnsureListening() => GC.KeepAlive(Listener);
}
