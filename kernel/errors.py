"""The one service error: a refused change whose Chinese message is shown to the user as is."""


class ServiceError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)

    def __str__(self):
        return self.message
