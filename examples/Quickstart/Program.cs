Console.WriteLine("AzureMl.Client quickstart");
