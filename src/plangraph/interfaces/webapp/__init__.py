"""interfaces/webapp"""
