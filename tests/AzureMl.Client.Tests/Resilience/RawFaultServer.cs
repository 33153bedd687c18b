using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AzureMl.Client.Tests.Resilience;

/// <summary>
/// A loopback TCP server that reads each HTTP request and then breaks the connection (reset), either before
/// answering or after the headers and part of the body. Counts the requests it read.
/// </summary>
internal sealed class RawFaultServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _midBody;
    private int _requests;

    public RawFaultServer(bool midBody)
    {
        _midBody = midBody;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Requests => Volatile.Read(ref _requests);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = HandleAsync(socket);
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        try
        {
            var buffer = new byte[64 * 1024];
            var total = 0;
            int headerEnd;
            while ((headerEnd = IndexOf(buffer, total)) < 0)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    socket.Dispose();
                    return;
                }

                total += read;
            }

            var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
            var length = 0;
            foreach (var line in head.Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(line["Content-Length:".Length..].Trim());
                }
            }

            while (total < headerEnd + 4 + length)
            {
                total += await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, _stop.Token);
            }

            Interlocked.Increment(ref _requests);
            if (_midBody)
            {
                var partial = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"Results\":{\"output1\":";
                await socket.SendAsync(Encoding.ASCII.GetBytes(partial), SocketFlags.None, _stop.Token);
                await Task.Delay(50);
            }

            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception)
        {
            socket.Dispose();
        }
    }

    private static int IndexOf(byte[] buffer, int count)
    {
        for (var i = 0; i + 3 < count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
